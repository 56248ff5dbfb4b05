import { errorCodes } from '../errors/error-codes.ts';
import type { PasskeyRefusalCode } from '../mfa/passkey.ts';
import type { Bilingual } from './page-lang.ts';

/** What a customer page says when a passkey answer is refused: what happened, and what to do next. */
export const PASSKEY_REFUSAL_TEXT: Record<PasskeyRefusalCode, Bilingual> = {
  passkey_challenge_invalid: { ja: 'この確認はすでに使われたか、このページのものではありません。もう一度お試しください。', en: 'This confirmation was already used or is not for this page. Please try again.' },
  passkey_challenge_expired: { ja: '確認の有効期限が切れました。もう一度お試しください。', en: 'The confirmation expired. Please try again.' },
  passkey_credential_unknown: { ja: 'このパスキーは登録されていません。登録済みのパスキーか別の方法をお使いください。', en: 'This passkey is not registered to you. Use a registered passkey or another method.' },
  passkey_verification_failed: { ja: 'パスキーで確認できませんでした。当行の正しいページからお試しください。', en: 'The passkey could not be verified. Use it only on the bank\'s own pages.' },
  passkey_counter_regressed: { ja: 'このパスキーは複製された可能性があるため使えません。当行までご連絡ください。', en: 'This passkey may have been copied and cannot be used. Please call the bank.' },
};

/** Each refusal's HTTP status, from the error registry. */
export const PASSKEY_REFUSAL_STATUS = Object.fromEntries(
  (Object.keys(PASSKEY_REFUSAL_TEXT) as PasskeyRefusalCode[]).map((code) => [code, errorCodes[code].status]),
) as Record<PasskeyRefusalCode, number>;
