import type { Database } from '../storage/database.ts';
import type { Logger } from '../shared/logger.ts';
import type { SmsChannel } from '../notify/sms-channel.ts';

/** Something the bank tells a customer out of band. Never carries a code, PIN or full account number. */
export type CustomerNotice =
  | { kind: 'second_factor_locked'; factor: 'totp' | 'sms' }
  | { kind: 'second_factor_enrolled'; factor: 'totp' }
  | { kind: 'credential_locked'; credential: 'legacy_pin' | 'password'; account_masked: string };

/**
 * Tells a customer about a security event. One small function so the channel can be swapped:
 * today an SMS to the registered phone, later an e-mail through the outbox.
 */
export type NotifyCustomer = (customer_id: string, notice: CustomerNotice) => Promise<void>;

const FACTOR_NAMES = { totp: '認証アプリ (authenticator app)', sms: 'SMS認証コード (SMS code)' } as const;
const CREDENTIAL_NAMES = { legacy_pin: 'キャッシュカード暗証番号による口座連携 (account linking by cash-card PIN)', password: 'インターネットバンキングのログイン (internet-banking login)' } as const;

function noticeText(notice: CustomerNotice): string {
  const contact = 'お心当たりがない場合は、すぐに当行へご連絡ください。 If this was not you, call us at once.';
  switch (notice.kind) {
    case 'second_factor_locked':
      return `【ふりかえ銀行】${FACTOR_NAMES[notice.factor]}の入力を続けて5回間違えたため、ロックしました。解除は当行窓口・お電話で承ります。 Locked after 5 wrong codes. ${contact}`;
    case 'second_factor_enrolled':
      return `【ふりかえ銀行】${FACTOR_NAMES[notice.factor]}が登録されました。 A new authenticator app was registered. ${contact}`;
    case 'credential_locked':
      return `【ふりかえ銀行】口座 ${notice.account_masked} の${CREDENTIAL_NAMES[notice.credential]}を、続けて間違えた入力があったためロックしました。 Locked after repeated wrong attempts. ${contact}`;
  }
}

/** Notifies by SMS to the phone on the customer's record; an unknown customer is logged and skipped. */
export function createSmsCustomerNotifier({ db, sms, log }: { db: Database; sms: SmsChannel; log: Logger }): NotifyCustomer {
  return async (customer_id, notice) => {
    const [customer] = await db.query<{ phone: string }>(`SELECT phone FROM customers WHERE id = $1`, [customer_id]);
    if (!customer) {
      log.warn({ customer_id, notice: notice.kind }, 'no customer to notify');
      return;
    }
    await sms.send({ to_phone: customer.phone, text: noticeText(notice), purpose: notice.kind });
  };
}
