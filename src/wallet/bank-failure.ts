import { FurikaeError } from '../errors/furikae-error.ts';
import { BankError } from './bank-error.ts';
import { walletFailure, type WalletFailure } from './wallet-outcome.ts';

/** What the wallet tells its user for each bank code it knows; the bank's own detail follows in brackets. */
const BANK_CODE_MESSAGES: Record<string, string> = {
  link_credentials_mismatch: '口座情報が一致しません / The account details do not match the bank’s records',
  link_method_not_allowed: 'この銀行はこの連携方法を認めていません / The bank does not allow this way of linking',
  new_links_suspended: '新規の口座連携は停止中です / New bank links are suspended',
  charges_suspended: 'チャージは停止中です / Top-ups from the bank are suspended',
  charge_yen_max_exceeded: '1回のチャージ上限を超えています / Over the per-top-up limit',
  charges_yen_per_month_max_exceeded: '今月のチャージ上限を超えます / Over the monthly top-up limit',
  insufficient_funds: '銀行口座の残高が足りません / The bank account balance is too low',
  link_revoked: '口座連携は解除されています / The bank link has been revoked',
  link_token_invalid: '口座連携が無効です / The bank link is no longer valid',
  validation_failed: '銀行が入力を受け付けませんでした / The bank did not accept the input',
  rate_limited: 'しばらくしてからお試しください / Too many attempts; try again later',
  access_token_invalid: '口座連携の認可が無効です / The bank link authorization is no longer valid',
  dpop_proof_invalid: '銀行が署名を受け付けませんでした / The bank did not accept the wallet’s proof of possession',
  invalid_grant: '口座連携は銀行側で終了しています。もう一度連携してください / The bank ended this link; link the account again',
  consent_expired: '口座連携の同意期限が切れました。もう一度連携してください / The consent expired; link the account again',
  link_frozen: '口座連携は停止されています / The bank has frozen this link',
  service_unavailable: '銀行が一時的に応答できません。少し待ってから同じ内容でもう一度お試しください / The bank is briefly unavailable; wait a moment and try again with the same form',
};

/**
 * The page status for a bank refusal: the bank's 4xx says what was wrong with the request and passes through;
 * a 401 means the wallet's own credentials are wrong and a 5xx the bank broke, both the wallet's problem (502).
 */
function pageStatus(bank_status: number): number {
  return bank_status >= 400 && bank_status < 500 && bank_status !== 401 ? bank_status : 502;
}

/** Turns a thrown bank error into a failure value to show the user; rethrows anything else. */
export function bankFailure(error: unknown): WalletFailure {
  if (error instanceof BankError) {
    const message = Object.hasOwn(BANK_CODE_MESSAGES, error.bank_code)
      ? BANK_CODE_MESSAGES[error.bank_code]
      : '銀行が処理できませんでした / The bank refused the request';
    return walletFailure('bank_refused', `${message}（${error.bank_detail}）`, { bank_code: error.bank_code, status: pageStatus(error.bank_status) });
  }
  if (error instanceof FurikaeError && error.code === 'wallet_bank_unreachable') {
    return walletFailure('wallet_bank_unreachable', '銀行から応答がありません。同じ内容でもう一度お試しください / The bank did not answer; try again with the same form');
  }
  throw error;
}
