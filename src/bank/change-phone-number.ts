import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { NotifyCustomer } from '../mfa/notify-customer.ts';
import { maskPhone, type SmsChannel } from '../notify/sms-channel.ts';
import { renderSms } from '../notify/notice-templates.ts';
import { isUuid } from '../ledger/is-uuid.ts';

/** A Japanese mobile number the bank can text: 070, 080 or 090 and eight digits, as 090-1234-5678, 09012345678 or +81 90 1234 5678. */
const MOBILE_NUMBER = /^(?:\+81[ -]?|0)[789]0[ -]?\d{4}[ -]?\d{4}$/;

/** The same number however it is written: +81 90… and 090… are one phone. */
export function phoneDigits(phone: string): string {
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
 *   not ask for is heard of on the channels the new number's holder does not have.
 */
export async function changePhoneNumber(
  { db, clock, sms, notifyCustomer }: { db: Database; clock: Clock; sms: SmsChannel; notifyCustomer: NotifyCustomer },
  { customer_id, phone }: { customer_id: string; phone: string },
): Promise<PhoneChange> {
  const new_phone = phone.trim();
  if (!MOBILE_NUMBER.test(new_phone)) return { ok: false, code: 'phone_number_invalid' };
  if (!isUuid(customer_id)) return { ok: false, code: 'customer_not_found' };
  const now = clock.now();
  const changed = await db.transaction(async (tx): Promise<PhoneChange & { previous_phone?: string }> => {
    const [customer] = await tx.query<{ phone: string }>(`SELECT phone FROM customers WHERE id = $1 FOR UPDATE`, [customer_id]);
    if (!customer) return { ok: false, code: 'customer_not_found' };
    if (phoneDigits(customer.phone) === phoneDigits(new_phone)) return { ok: false, code: 'phone_number_unchanged' };
    await tx.query(`UPDATE customers SET phone = $2, phone_set_at = $3 WHERE id = $1`, [customer_id, new_phone, now]);
    await tx.query(`UPDATE sms_codes SET spent_at = $2 WHERE customer_id = $1 AND spent_at IS NULL`, [customer_id, now]);
    return { ok: true, previous_phone: customer.phone, previous_phone_masked: maskPhone(customer.phone), new_phone_masked: maskPhone(new_phone) };
  });
  if (!changed.ok) return changed;
  const { previous_phone, ...result } = changed;
  const notice = { kind: 'phone_number_changed' as const, previous_phone_masked: result.previous_phone_masked, new_phone_masked: result.new_phone_masked };
  await sms.send({ to_phone: previous_phone!, text: renderSms({ template: notice.kind, data: notice }), purpose: notice.kind });
  await notifyCustomer(customer_id, notice);
  return result;
}
