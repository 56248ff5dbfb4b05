import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import type { CustomerNotice } from '../mfa/notify-customer.ts';
import { maskPhone, type SmsChannel } from '../notify/sms-channel.ts';
import { renderSms } from '../notify/notice-templates.ts';
import { enqueueSecurityEmail } from '../notify/outbox-customer-notifier.ts';
import { isUuid } from '../ledger/is-uuid.ts';

/** A Japanese mobile number the bank can text: 070, 080 or 090 and eight digits, as 090-1234-5678, 09012345678 or +81 90 1234 5678. */
const MOBILE_NUMBER = /^(?:\+81[ -]?|0)[789]0[ -]?\d{4}[ -]?\d{4}$/;

/** The same number however it is written: +81 90… and 090… are one phone. */
function phoneDigits(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.startsWith('81') && phone.trim().startsWith('+') ? `0${digits.slice(2)}` : digits;
}

export type PhoneChangeRefusal = 'phone_number_invalid' | 'phone_number_unchanged' | 'customer_not_found';

export type PhoneChange =
  | { ok: true; previous_phone_masked: string; new_phone_masked: string }
  | { ok: false; code: PhoneChangeRefusal };

/**
 * Changes the phone number on record, where every SMS code and notice goes: at a branch, by staff who checked the
 * customer's photo ID (src/web/staff-customer-pages.ts), never online, where a thief with the password would do it.
 * Afterwards:
 * - `phone_set_at` dates the change, so for 30 days a new link's large first charges are held for staff
 *   (`recent-phone-number@1`, `phone-takeover@1`);
 * - codes sent to the old number stop working;
 * - the old number gets a text and the customer an e-mail (and a text to the new number), so a change the holder did
 *   not ask for is heard of on the channels the new number's holder does not have. The e-mail is queued in the
 *   change's own transaction (the outbox); the texts go after the commit and a failed one is logged, never undoing
 *   the change, as for the bank's other security notices.
 */
export async function changePhoneNumber(
  { db, clock, ids, log, sms }: { db: Database; clock: Clock; ids: Ids; log: Logger; sms: SmsChannel },
  { customer_id, phone }: { customer_id: string; phone: string },
): Promise<PhoneChange> {
  const new_phone = phone.trim();
  if (!MOBILE_NUMBER.test(new_phone)) return { ok: false, code: 'phone_number_invalid' };
  if (!isUuid(customer_id)) return { ok: false, code: 'customer_not_found' };
  const now = clock.now();
  const changed = await db.transaction(async (tx): Promise<{ ok: false; code: PhoneChangeRefusal } | { ok: true; previous_phone: string; notice: Extract<CustomerNotice, { kind: 'phone_number_changed' }> }> => {
    const [customer] = await tx.query<{ phone: string }>(`SELECT phone FROM customers WHERE id = $1 FOR UPDATE`, [customer_id]);
    if (!customer) return { ok: false, code: 'customer_not_found' };
    if (phoneDigits(customer.phone) === phoneDigits(new_phone)) return { ok: false, code: 'phone_number_unchanged' };
    await tx.query(`UPDATE customers SET phone = $2, phone_set_at = $3 WHERE id = $1`, [customer_id, new_phone, now]);
    await tx.query(`UPDATE sms_codes SET spent_at = $2 WHERE customer_id = $1 AND spent_at IS NULL`, [customer_id, now]);
    const notice = { kind: 'phone_number_changed' as const, previous_phone_masked: maskPhone(customer.phone), new_phone_masked: maskPhone(new_phone) };
    await enqueueSecurityEmail(tx, { ids, now }, customer_id, notice);
    return { ok: true, previous_phone: customer.phone, notice };
  });
  if (!changed.ok) return changed;
  const { previous_phone, notice } = changed;
  for (const to_phone of [previous_phone, new_phone]) {
    try {
      await sms.send({ to_phone, text: renderSms({ template: notice.kind, data: notice }), purpose: notice.kind });
    } catch (error) {
      log.error({ err: error, customer_id, notice: notice.kind }, 'phone number change text failed');
    }
  }
  return { ok: true, previous_phone_masked: notice.previous_phone_masked, new_phone_masked: notice.new_phone_masked };
}
