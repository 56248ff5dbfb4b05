import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { CustomerNotice, NotifyCustomer } from '../mfa/notify-customer.ts';

/**
 * Queues a security notice as an e-mail in the outbox, in the caller's transaction when it has one (a phone number
 * change queues it with the change). An unknown customer inserts nothing.
 */
export async function enqueueSecurityEmail(q: Queryable, { ids, now }: { ids: Ids; now: Date }, customer_id: string, notice: CustomerNotice): Promise<void> {
  await q.query(
    `INSERT INTO notification_outbox (id, created_at, customer_id, channel, template, data, next_attempt_at)
     SELECT $1, $2, id, 'email', $4, $5, $2 FROM customers WHERE id = $3`,
    [ids.next(), now, customer_id, notice.kind, JSON.stringify(notice)],
  );
}

/**
 * Security notices (a factor locked or registered, a credential locked) keep their immediate SMS and also go
 * into the outbox as an e-mail, so the customer has a written record even when the phone is the thing that was
 * taken. An unknown customer inserts nothing, as the SMS notifier skips them.
 */
export function createOutboxCustomerNotifier({ db, ids, clock, sms }: { db: Database; ids: Ids; clock: Clock; sms: NotifyCustomer }): NotifyCustomer {
  return async (customer_id, notice) => {
    await sms(customer_id, notice);
    await enqueueSecurityEmail(db, { ids, now: clock.now() }, customer_id, notice);
  };
}
