import type { Queryable } from '../storage/database.ts';
import type { SegmentQuery } from './campaign-segments.ts';

/**
 * Writes one e-mail notice per customer of the segment into the outbox, in one INSERT … SELECT inside the caller's
 * transaction: all of them or, if the process dies, none (the campaign stays `enqueuing` and is written again from
 * the start). Each row carries the customer's linked services as they are now, every link in any state with its
 * operator, passbook label and masked account; the campaign's own text is joined when a row is claimed, so it is
 * stored once. Returns how many were written.
 */
export async function enqueueCampaignNotices(tx: Queryable, campaign_id: string, segment: SegmentQuery, now: Date): Promise<number> {
  const first = segment.params.length + 1;
  const [row] = await tx.query<{ n: number }>(
    `WITH recipients AS (${segment.sql}),
     services AS (
       SELECT a.customer_id,
              jsonb_agg(jsonb_build_object('operator_name', o.display_name, 'passbook_label', o.passbook_label, 'branch_code', a.branch_code,
                'account_masked', '****' || right(a.account_number, 3), 'status', l.status) ORDER BY l.created_at, l.id) AS services
         FROM recipients r JOIN bank_accounts a ON a.customer_id = r.customer_id
         JOIN links l ON l.account_id = a.id JOIN operators o ON o.id = l.operator_id
        GROUP BY a.customer_id),
     inserted AS (
       INSERT INTO notification_outbox (id, created_at, customer_id, channel, template, data, next_attempt_at, campaign_id)
       SELECT furikae_uuid_v7($${first + 1}), $${first + 1}, r.customer_id, 'email', 'campaign_notice',
              jsonb_build_object('campaign_id', $${first}::text, 'services', coalesce(s.services, '[]'::jsonb)), $${first + 1}, $${first}::uuid
         FROM recipients r LEFT JOIN services s ON s.customer_id = r.customer_id
       RETURNING 1)
     SELECT count(*)::int AS n FROM inserted`,
    [...segment.params, campaign_id, now],
  );
  return row?.n ?? 0;
}
