import type { Database } from '../storage/database.ts';
import type { Logger } from '../shared/logger.ts';
import type { SmsChannel } from '../notify/sms-channel.ts';
import { renderSms } from '../notify/notice-templates.ts';

/** Something the bank tells a customer out of band. Never carries a code, PIN or full account number. */
export type CustomerNotice =
  | { kind: 'second_factor_locked'; factor: 'totp' | 'sms' }
  | { kind: 'second_factor_enrolled'; factor: 'totp' | 'passkey' }
  | { kind: 'second_factor_removed'; factor: 'passkey' }
  /** `account` is the PIN's account; a password lock names internet banking, never the login id. */
  | { kind: 'credential_locked'; credential: 'legacy_pin' | 'password'; account: { branch_code: string; account_masked: string } | null }
  /** The phone number on record was changed at a branch; both numbers masked to their last four digits. */
  | { kind: 'phone_number_changed'; previous_phone_masked: string; new_phone_masked: string };

/**
 * Tells a customer about a security event. One small function so the channel can be swapped:
 * today an SMS to the registered phone, later an e-mail through the outbox.
 */
export type NotifyCustomer = (customer_id: string, notice: CustomerNotice) => Promise<void>;

/** Notifies by SMS (worded by renderSms) to the phone on the customer's record; an unknown customer is logged and skipped. */
export function createSmsCustomerNotifier({ db, sms, log }: { db: Database; sms: SmsChannel; log: Logger }): NotifyCustomer {
  return async (customer_id, notice) => {
    const [customer] = await db.query<{ phone: string }>(`SELECT phone FROM customers WHERE id = $1`, [customer_id]);
    if (!customer) {
      log.warn({ customer_id, notice: notice.kind }, 'no customer to notify');
      return;
    }
    await sms.send({ to_phone: customer.phone, text: renderSms({ template: notice.kind, data: notice }), purpose: notice.kind });
  };
}
