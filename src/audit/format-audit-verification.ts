import type { AuditVerification } from './verify-audit-chain.ts';

/** What `furikae audit verify` prints: OK with the count and head hash, or the first broken entry and why. */
export function formatAuditVerification(result: AuditVerification): string {
  if (result.ok) return `audit chain OK: ${result.entries_count} entries, head ${result.head_hash}`;
  const { seq, id, problem, expected, found } = result.broken;
  return [
    `audit chain BROKEN at entry #${seq} (${id}): ${problem}`,
    `  expected ${expected}`,
    `  found    ${found}`,
    `  entries before it verify: ${result.entries_count}`,
  ].join('\n');
}
