import type { Queryable } from '../storage/database.ts';
import type { Charge } from '../charges/charge.ts';

/** What a delivery reports: a waiting charge's outcome. */
export type WebhookEventType = 'charge.succeeded' | 'charge.declined' | 'charge.expired';

/**
 * Events about something other than one charge: a compensation paid from the operator's settlement account; a
 * link's consent ending within CONSENT_REMINDER_WINDOW_DAYS (src/linking/consent-reminders.ts), and renewed.
 */
export type OperatorEventType = 'compensation.paid' | 'link.consent_expiring' | 'link.consent_renewed';

/** One non-charge event to tell an operator of; `data` is the body's `data` as given. */
export interface OperatorEventInput {
  id: string;
  operator_id: string;
  type: OperatorEventType;
  data: Record<string, unknown>;
  at: Date;
}

/** One outcome to tell an operator of. */
export interface WebhookEventInput {
  /** The delivery's id (fresh), also the event's id in the body. */
  id: string;
  operator_id: string;
  type: WebhookEventType;
  charge: Charge;
  at: Date;
}

/**
 * Writes a delivery per event for each operator that registered a webhook, for a whole batch in one
 * INSERT … SELECT FROM unnest, in the caller's transaction: each is sent exactly when the change it reports
 * commits. Events of operators without a webhook write nothing. Bodies are fixed now; the dispatcher signs them
 * when it sends.
 */
export async function enqueueWebhooks(tx: Queryable, events: readonly WebhookEventInput[]): Promise<void> {
  if (events.length === 0) return;
  await tx.query(
    `INSERT INTO webhook_deliveries (id, operator_id, event_type, charge_id, body, created_at, next_attempt_at)
     SELECT t.id, w.operator_id, t.event_type, t.charge_id, t.body, t.at, t.at
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::timestamptz[])
              AS t (id, operator_id, event_type, charge_id, body, at)
       JOIN operator_webhooks w ON w.operator_id = t.operator_id`,
    [
      events.map((e) => e.id), events.map((e) => e.operator_id), events.map((e) => e.type), events.map((e) => e.charge.id),
      events.map((e) => JSON.stringify({ id: e.id, type: e.type, created_at: e.at.toISOString(), data: { charge: e.charge } })),
      events.map((e) => e.at),
    ],
  );
}

/** Writes one event's delivery (see enqueueWebhooks), if its operator registered a webhook. */
export function enqueueWebhook(tx: Queryable, event: WebhookEventInput): Promise<void> {
  return enqueueWebhooks(tx, [event]);
}

/**
 * Writes a delivery per non-charge event (see OperatorEventType) for each operator that registered a webhook, for a
 * whole batch in one INSERT … SELECT FROM unnest, in the caller's transaction; the body has the same envelope as a
 * charge event's, with `data` as given.
 */
export async function enqueueOperatorEvents(tx: Queryable, events: readonly OperatorEventInput[]): Promise<void> {
  if (events.length === 0) return;
  await tx.query(
    `INSERT INTO webhook_deliveries (id, operator_id, event_type, charge_id, body, created_at, next_attempt_at)
     SELECT t.id, w.operator_id, t.event_type, NULL, t.body, t.at, t.at
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[]) AS t (id, operator_id, event_type, body, at)
       JOIN operator_webhooks w ON w.operator_id = t.operator_id`,
    [
      events.map((e) => e.id), events.map((e) => e.operator_id), events.map((e) => e.type),
      events.map((e) => JSON.stringify({ id: e.id, type: e.type, created_at: e.at.toISOString(), data: e.data })), events.map((e) => e.at),
    ],
  );
}

/** Writes one non-charge event's delivery (see enqueueOperatorEvents), if its operator registered a webhook. */
export function enqueueOperatorEvent(tx: Queryable, event: OperatorEventInput): Promise<void> {
  return enqueueOperatorEvents(tx, [event]);
}
