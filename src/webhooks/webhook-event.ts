import type { Queryable } from '../storage/database.ts';
import type { Charge } from '../charges/charge.ts';

/** What a delivery reports: a waiting charge's outcome. */
export type WebhookEventType = 'charge.succeeded' | 'charge.declined' | 'charge.expired';

/**
 * Writes a delivery for the operator in the caller's transaction, if the operator registered a webhook: it is sent
 * exactly when the change it reports commits. The body is fixed now; the dispatcher signs it when it sends.
 */
export async function enqueueWebhook(
  tx: Queryable,
  event: { id: string; operator_id: string; type: WebhookEventType; charge: Charge; at: Date },
): Promise<void> {
  const body = JSON.stringify({ id: event.id, type: event.type, created_at: event.at.toISOString(), data: { charge: event.charge } });
  await tx.query(
    `INSERT INTO webhook_deliveries (id, operator_id, event_type, charge_id, body, created_at, next_attempt_at)
     SELECT $1, operator_id, $3, $4, $5, $6, $6 FROM operator_webhooks WHERE operator_id = $2`,
    [event.id, event.operator_id, event.type, event.charge.id, body, event.at],
  );
}
