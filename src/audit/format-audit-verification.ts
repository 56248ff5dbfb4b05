import type { AuditVerification } from './verify-audit-chain.ts';

/**
 * Whether `audit verify` passes: the chain verifies and, if it has entries, at least one anchor vouches for it.
 * A chain with no anchor at all verifies only against the key: its newest entries could have been dropped.
 */
export function auditVerificationPassed(result: AuditVerification): boolean {
  return result.ok && (result.entries_count === 0 || result.anchored.anchors_count > 0);
}

/** What `furikae audit verify` prints: OK with the count, head and anchor coverage, UNANCHORED, or the first broken entry and why. */
export function formatAuditVerification(result: AuditVerification, anchor_location: string): string {
  if (result.ok) {
    const { entries_count, head_hash, keyed_from_seq, anchored } = result;
    const legacy = keyed_from_seq > 1
      ? `  entries #1–#${keyed_from_seq - 1} were written before the chain was keyed: plain SHA-256, sealed by the keyed mark #${keyed_from_seq}`
      : undefined;
    const coverage = anchored.latest
      ? `  anchored: ${anchored.anchors_count} anchors in ${anchor_location}, the newest at #${anchored.latest.seq} (${anchored.latest.at}); ${anchored.entries_after_latest} newer entries are protected by the key only`
      : `  no anchor in ${anchor_location}: entries could have been dropped from the end unseen`;
    const verdict = auditVerificationPassed(result) ? 'audit chain OK' : 'audit chain UNANCHORED';
    return [`${verdict}: ${entries_count} entries, head ${head_hash}`, ...(legacy ? [legacy] : []), coverage].join('\n');
  }
  const { seq, id, problem, expected, found } = result.broken;
  return [
    `audit chain BROKEN at ${seq > 0 ? `entry #${seq}` : 'the anchors'} (${id}): ${problem}`,
    `  expected ${expected}`,
    `  found    ${found}`,
    `  entries before it verify: ${result.entries_count}`,
  ].join('\n');
}
