import { createHash } from 'node:crypto';
import { FurikaeError } from '../../errors/furikae-error.ts';
import { assert } from '../../shared/assert.ts';
import { CHARGE_COLUMNS, openItems, type Charge, type ChargeItem, type ChargeStep } from '../charge.ts';

/** Fingerprint of what a charge asks for: the link and the body. */
function requestHash(item: ChargeItem): string {
  assert(item.link, 'authenticated before idempotency');
  const { amount_yen, description } = item.request;
  return createHash('sha256').update(JSON.stringify([item.link.id, amount_yen, description])).digest('base64url');
}

/**
 * idempotency: a key already used by this operator answers with the first charge (same request)
 * or `idempotency_key_reused` (different request). A transaction-scoped advisory lock per key, taken
 * in hash order, makes two processes racing on one key take turns instead of both charging.
 */
export const idempotency: ChargeStep = {
  name: 'idempotency',
  async run({ tx }, items) {
    const open = openItems(items);
    if (open.length === 0) return;
    const keys = open.map((item) => `${item.operator!.id}:${item.request.idempotency_key}`);
    await tx.query(
      `SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) k ORDER BY h) s`,
      [keys],
    );
    const existing = await tx.query<Charge & { operator_id: string; idempotency_key: string; request_hash: string }>(
      `SELECT ${CHARGE_COLUMNS}, operator_id, idempotency_key, request_hash FROM charges
        WHERE (operator_id, idempotency_key) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
      [open.map((item) => item.operator!.id), open.map((item) => item.request.idempotency_key)],
    );
    const seen = new Map(existing.map((row) => [`${row.operator_id}:${row.idempotency_key}`, row]));
    const firstInBatch = new Map<string, ChargeItem>();
    for (const item of open) {
      item.request_hash = requestHash(item);
      const key = `${item.operator!.id}:${item.request.idempotency_key}`;
      const stored = seen.get(key);
      const earlier = firstInBatch.get(key);
      const previousHash = stored?.request_hash ?? earlier?.request_hash;
      if (previousHash !== undefined && previousHash !== item.request_hash) {
        item.outcome = { kind: 'refused', error: new FurikaeError('idempotency_key_reused', 'This Idempotency-Key was used for a different charge') };
      } else if (stored) {
        const { operator_id: _o, idempotency_key: _k, request_hash: _h, ...charge } = stored;
        item.outcome = { kind: 'charged', charge, replayed: true };
      } else if (earlier) {
        item.outcome = { kind: 'same_as', first: earlier };
      } else {
        firstInBatch.set(key, item);
      }
    }
  },
};

