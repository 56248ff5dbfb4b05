import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditVerificationPassed, formatAuditVerification } from './format-audit-verification.ts';
import type { AuditVerification } from './verify-audit-chain.ts';

const HEAD = 'a'.repeat(64);
const verified = (over: Partial<Extract<AuditVerification, { ok: true }>> = {}): AuditVerification => ({
  ok: true, entries_count: 12, head_hash: HEAD, keyed_from_seq: 1,
  anchored: { anchors_count: 3, latest: { seq: 10, at: '2026-11-10T01:05:00.000Z' }, entries_after_latest: 2 }, ...over,
});

test('an anchored chain passes and says how many entries are newer than the newest anchor', () => {
  assert.equal(auditVerificationPassed(verified()), true);
  assert.equal(formatAuditVerification(verified(), '/var/lib/furikae/anchors.jsonl'), [
    `audit chain OK: 12 entries, head ${HEAD}`,
    '  anchored: 3 anchors in /var/lib/furikae/anchors.jsonl, the newest at #10 (2026-11-10T01:05:00.000Z); 2 newer entries are protected by the key only',
  ].join('\n'));
});

test('a chain with entries and no anchor at all does not pass: it is UNANCHORED', () => {
  const unanchored = verified({ anchored: { anchors_count: 0, latest: undefined, entries_after_latest: 12 } });
  assert.equal(auditVerificationPassed(unanchored), false);
  assert.match(formatAuditVerification(unanchored, 'anchors.jsonl'), /^audit chain UNANCHORED: 12 entries, head a{64}\n {2}no anchor in anchors\.jsonl: entries could have been dropped from the end unseen$/);
  assert.equal(auditVerificationPassed(verified({ entries_count: 0, anchored: { anchors_count: 0, latest: undefined, entries_after_latest: 0 } })), true, 'an empty log has nothing to anchor');
});

test('a chain sealed after legacy entries says which entries are plain SHA-256', () => {
  assert.match(formatAuditVerification(verified({ keyed_from_seq: 5 }), 'anchors.jsonl'), /entries #1–#4 were written before the chain was keyed: plain SHA-256, sealed by the keyed mark #5/);
});

test('a broken chain names the entry, or the anchors, and never passes', () => {
  const broken: AuditVerification = { ok: false, entries_count: 6, broken: { seq: 7, id: 'e7', problem: 'mac_mismatch', expected: 'x', found: 'y' } };
  assert.equal(auditVerificationPassed(broken), false);
  assert.equal(formatAuditVerification(broken, 'a'), 'audit chain BROKEN at entry #7 (e7): mac_mismatch\n  expected x\n  found    y\n  entries before it verify: 6');
  const anchor: AuditVerification = { ok: false, entries_count: 0, broken: { seq: 0, id: 'anchor line 2', problem: 'anchor_invalid', expected: 'a signed anchor', found: 'not JSON' } };
  assert.match(formatAuditVerification(anchor, 'a'), /^audit chain BROKEN at the anchors \(anchor line 2\): anchor_invalid/);
});
