import type { OperatorErrorCode } from '../errors/operator-error-codes.ts';

/** What the wallet tells its user about one bank refusal, in Japanese and English. */
export interface BankCodeMessage {
  ja: string;
  en: string;
}

/** Codes the wallet makes up itself while talking to the bank: an unreadable answer, an OAuth refusal of its grant. */
type WalletSideBankCode = 'bank_response_invalid' | 'bank_error' | 'invalid_grant';

// The wallet may link to more than one bank and does not keep their phone numbers: the customer's bank card and passbook have it.
const CALL_BANK = { ja: 'お取引の銀行にお問い合わせください（電話番号はキャッシュカードや通帳に記載があります）', en: 'contact your bank (its number is on your cash card and passbook)' };
const TRY_LATER = { ja: 'しばらく待ってからもう一度お試しください', en: 'wait a little and try again' };
const LINK_AGAIN = { ja: '銀行口座ともう一度連携してください', en: 'link your bank account again' };
const WALLET_PROBLEM = { ja: 'ウォレット側の問題です。お手数ですが、しばらくしてからお試しください', en: 'this is a problem on the wallet’s side; please try again later' };

/**
 * The wallet's own words for every code the bank's operator API can answer (OPERATOR_ERROR_CODES; a test keeps them
 * in step), so its user never reads the bank's English detail, which is written for the operator's engineers.
 */
export const BANK_CODE_MESSAGES: Record<OperatorErrorCode | WalletSideBankCode, BankCodeMessage> = {
  validation_failed: { ja: '銀行が入力内容を受け付けませんでした。入力を確かめてください', en: 'The bank did not accept what was entered; check it and try again' },
  body_too_large: { ja: `送った内容が大きすぎました。${WALLET_PROBLEM.ja}`, en: `The request was too large: ${WALLET_PROBLEM.en}` },
  unsupported_media_type: { ja: `銀行が要求を読めませんでした。${WALLET_PROBLEM.ja}`, en: `The bank could not read the request: ${WALLET_PROBLEM.en}` },
  route_not_found: { ja: `銀行が要求を受け付けませんでした。${WALLET_PROBLEM.ja}`, en: `The bank did not recognise the request: ${WALLET_PROBLEM.en}` },
  method_not_allowed: { ja: `銀行が要求を受け付けませんでした。${WALLET_PROBLEM.ja}`, en: `The bank did not recognise the request: ${WALLET_PROBLEM.en}` },
  request_malformed: { ja: `銀行が要求を読めませんでした。${WALLET_PROBLEM.ja}`, en: `The bank could not read the request: ${WALLET_PROBLEM.en}` },
  request_timeout: { ja: `銀行への送信が途中で止まりました。${TRY_LATER.ja}`, en: `The request to the bank stalled; ${TRY_LATER.en}` },
  uri_too_long: { ja: `銀行が要求を受け付けませんでした。${WALLET_PROBLEM.ja}`, en: `The bank refused the request: ${WALLET_PROBLEM.en}` },
  headers_too_large: { ja: `銀行が要求を受け付けませんでした。${WALLET_PROBLEM.ja}`, en: `The bank refused the request: ${WALLET_PROBLEM.en}` },
  too_many_requests: { ja: `銀行への要求が集中しています。${TRY_LATER.ja}`, en: `The bank is receiving too many requests; ${TRY_LATER.en}` },
  service_unavailable: { ja: '銀行が一時的に応答できません。少し待ってから同じ内容でもう一度お試しください', en: 'The bank is briefly unavailable; wait a moment and try again with the same form' },
  internal_error: { ja: `銀行側で問題が起きました。${TRY_LATER.ja}`, en: `Something went wrong at the bank; ${TRY_LATER.en}` },
  operator_unauthenticated: { ja: `銀行がこのウォレットを確認できませんでした。${WALLET_PROBLEM.ja}`, en: `The bank could not authenticate this wallet: ${WALLET_PROBLEM.en}` },
  link_method_not_allowed: { ja: 'この銀行はこの連携方法を認めていません', en: 'The bank does not allow this way of linking' },
  new_links_suspended: { ja: '銀行がこのウォレットとの新しい口座連携を一時停止しています。連携済みの口座はそのまま使えます', en: 'The bank has paused new links to this wallet; accounts already linked keep working' },
  charges_suspended: { ja: '銀行がこのウォレットへのチャージを一時停止しています。残高での支払いはそのまま使えます', en: 'The bank has paused top-ups to this wallet; your balance can still be spent' },
  operator_source_not_registered: { ja: `銀行がこのウォレットの接続元を確認できませんでした。${WALLET_PROBLEM.ja}`, en: `The bank did not recognise where this wallet’s request came from: ${WALLET_PROBLEM.en}` },
  link_credentials_mismatch: { ja: '口座情報が一致しません。支店番号・口座番号・暗証番号・お名前・生年月日を確かめてください', en: 'The account details do not match the bank’s records; check each of them' },
  link_token_invalid: { ja: `この口座連携はもう使えません。${LINK_AGAIN.ja}`, en: `This bank link no longer works; ${LINK_AGAIN.en}` },
  link_not_found: { ja: `銀行にこの口座連携が見つかりません。${LINK_AGAIN.ja}`, en: `The bank has no such link; ${LINK_AGAIN.en}` },
  link_revoked: { ja: `この口座連携は解除されています。${LINK_AGAIN.ja}`, en: `This bank link has been removed; ${LINK_AGAIN.en}` },
  link_mismatch: { ja: `口座連携の情報が食い違っています。${LINK_AGAIN.ja}`, en: `The bank link’s credentials do not match; ${LINK_AGAIN.en}` },
  link_frozen: {
    ja: `口座名義の方から「身に覚えがない」と届け出があったため、銀行がこの口座連携を停止しています。チャージはできません。ご本人の口座であれば、${CALL_BANK.ja}`,
    en: `The account holder told the bank this link was not theirs, so the bank has frozen it and top-ups stop. If it is your account, ${CALL_BANK.en}`,
  },
  link_denied: { ja: `銀行が安全のためこの口座連携をお断りしました。${CALL_BANK.ja}`, en: `The bank declined this link for safety; ${CALL_BANK.en}` },
  link_not_renewable: { ja: `この口座連携は更新できません。${LINK_AGAIN.ja}`, en: `This bank link cannot be renewed; ${LINK_AGAIN.en}` },
  consent_expired: {
    ja: '口座連携への同意の有効期限が切れました。「銀行口座」の画面の「同意を更新する」から、銀行で更新してください (連携はそのままです)',
    en: 'Your consent to the bank link has ended; renew it at the bank with "Renew at the bank" on the bank account page (the link stays)',
  },
  access_token_invalid: { ja: `銀行の認可が切れました。${LINK_AGAIN.ja}`, en: `The bank’s authorisation has lapsed; ${LINK_AGAIN.en}` },
  dpop_proof_invalid: { ja: `銀行がウォレットの署名を受け付けませんでした。${WALLET_PROBLEM.ja}`, en: `The bank did not accept the wallet’s signature: ${WALLET_PROBLEM.en}` },
  dpop_proof_replayed: { ja: `銀行がウォレットの署名を受け付けませんでした。${TRY_LATER.ja}`, en: `The bank did not accept the wallet’s signature; ${TRY_LATER.en}` },
  credential_attempts_locked: {
    ja: `暗証番号の誤りが続いたため、銀行がこの口座の暗証番号をロックしました。ロックは自動では解除されません。${CALL_BANK.ja}`,
    en: `After too many wrong PINs the bank has locked this account’s PIN; it does not unlock by itself: ${CALL_BANK.en}`,
  },
  too_many_attempts: { ja: `試行回数が多すぎます。${TRY_LATER.ja}`, en: `Too many attempts; ${TRY_LATER.en}` },
  kyc_attestation_invalid: { ja: `本人確認の結果を銀行に渡せませんでした。${WALLET_PROBLEM.ja}`, en: `The wallet could not hand your identity check to the bank: ${WALLET_PROBLEM.en}` },
  kyc_attestation_expired: { ja: '本人確認の結果の有効期限が切れました。もう一度連携をお試しください', en: 'Your identity check’s proof has expired; start linking again' },
  kyc_attestation_replayed: { ja: '本人確認の結果はすでに使われています。もう一度連携をお試しください', en: 'Your identity check’s proof was already used; start linking again' },
  kyc_level_too_low: { ja: '銀行が求める本人確認の水準に達していません。本人確認書類と顔写真で確認してください', en: 'The bank needs a stronger identity check: verify with an ID document and a face photo' },
  identity_mismatch: { ja: `ウォレットで確認したお名前・生年月日が、口座名義と一致しません。${CALL_BANK.ja}`, en: `The name and birth date you verified do not match the account holder; ${CALL_BANK.en}` },
  idempotency_key_required: { ja: `銀行が要求を受け付けませんでした。${WALLET_PROBLEM.ja}`, en: `The bank refused the request: ${WALLET_PROBLEM.en}` },
  end_user_address_invalid: { ja: `お客さまの接続元の情報を銀行に正しく送れませんでした。${WALLET_PROBLEM.ja}`, en: `Your connection details could not be passed to the bank: ${WALLET_PROBLEM.en}` },
  idempotency_key_reused: { ja: `同じ受付番号で別の内容が送られました。${WALLET_PROBLEM.ja}`, en: `The same request number was sent with other contents: ${WALLET_PROBLEM.en}` },
  charge_yen_max_exceeded: { ja: '1回のチャージの上限を超えています。金額を減らしてください', en: 'Over the per-top-up limit; enter a smaller amount' },
  charges_yen_per_month_max_exceeded: { ja: '今月のチャージの上限を超えます。金額を減らすか、来月お試しください', en: 'Over this month’s top-up limit; enter less or wait for next month' },
  insufficient_funds: { ja: '銀行口座の残高が足りません', en: 'The bank account balance is too low' },
  charge_denied: { ja: `銀行が安全のためこのチャージをお断りしました。お金は動いていません。${CALL_BANK.ja}`, en: `The bank declined this top-up for safety; no money moved. ${CALL_BANK.en}` },
  charge_not_found: { ja: '銀行にこのチャージが見つかりません', en: 'The bank has no such top-up' },
  charge_not_settled: { ja: 'このチャージはまだ確定していません。確定してからお試しください', en: 'This top-up is not settled yet; try again once it is' },
  refund_exceeds_charge: { ja: '返金額がチャージの残りを超えています', en: 'The refund is more than what remains of the top-up' },
  operator_funds_insufficient: { ja: `ウォレット側の資金が不足しています。${WALLET_PROBLEM.ja}`, en: `The wallet’s own funds are short: ${WALLET_PROBLEM.en}` },
  webhook_url_invalid: { ja: `通知先の設定が正しくありません。${WALLET_PROBLEM.ja}`, en: `The wallet’s notification address is not valid: ${WALLET_PROBLEM.en}` },
  bank_response_invalid: { ja: `銀行からの応答を読めませんでした。${TRY_LATER.ja}`, en: `The bank’s answer could not be read; ${TRY_LATER.en}` },
  bank_error: { ja: `銀行が処理できませんでした。${TRY_LATER.ja}`, en: `The bank could not do this; ${TRY_LATER.en}` },
  invalid_grant: { ja: `口座連携は銀行側で終了しています。${LINK_AGAIN.ja}`, en: `The bank ended this link; ${LINK_AGAIN.en}` },
};

/** For a code the wallet does not know (a newer bank): no guess at its meaning, and never the bank's own detail. */
export const UNKNOWN_BANK_CODE_MESSAGE: BankCodeMessage = { ja: `銀行が処理できませんでした。${TRY_LATER.ja}`, en: `The bank could not do this; ${TRY_LATER.en}` };

/** The user's message for a bank code: ja / en, and the code as a reference to quote to support. */
export function bankCodeMessage(code: string): string {
  const message = Object.hasOwn(BANK_CODE_MESSAGES, code) ? BANK_CODE_MESSAGES[code as keyof typeof BANK_CODE_MESSAGES] : UNKNOWN_BANK_CODE_MESSAGE;
  return `${message.ja} / ${message.en}（参照コード / Reference: ${code}）`;
}
