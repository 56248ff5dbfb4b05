import { formatYen } from '../shared/yen.ts';

/** What the customer is told about a waiting charge: payee and amount, and where to approve it (never a code). */
export interface WaitingChargeNotice {
  status: 'pending_approval' | 'held';
  payee: string;
  amount_yen: number;
  approval_url: string;
  expires_at: Date;
}

/** The text of the SMS, in Japanese and English. */
export function waitingChargeText(notice: WaitingChargeNotice): string {
  const what = `${notice.payee} ${formatYen(notice.amount_yen)}`;
  if (notice.status === 'held') {
    return `【ふりかえ銀行】${what} のチャージを確認のため保留しました。お心当たりがない場合はすぐにご連絡ください。 ` +
      `We are holding a charge of ${formatYen(notice.amount_yen)} by ${notice.payee} for review. If this was not you, call us.`;
  }
  return `【ふりかえ銀行】${what} のチャージ承認が必要です。ご本人の場合のみ承認してください (10分間有効): ${notice.approval_url} ` +
    `Approve ${formatYen(notice.amount_yen)} to ${notice.payee} only if it was you: ${notice.approval_url}`;
}
