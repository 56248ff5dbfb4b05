import { BANK_FRAUD_DESK_PHONE, BANK_NAME } from '../notify/bank-contact.ts';
import { PASSWORD_FAILURES_PER_ACCOUNT_MAX, PIN_FAILURES_PER_ACCOUNT_MAX } from '../throttle/credential-limits.ts';
import { SECOND_FACTOR_FAILURES_MAX } from '../mfa/second-factors.ts';

/** Why a customer's sign-in was refused, beyond a wrong secret: each has its own words on the page. */
export type SignInRefusal = 'credential_invalid' | 'credential_attempts_locked' | 'second_factor_locked' | 'too_many_attempts';

const CALL = {
  ja: `解除は ${BANK_NAME.ja} 不正利用ダイヤル ${BANK_FRAUD_DESK_PHONE} (24時間) へお電話ください。`,
  en: `To unlock it, call the ${BANK_NAME.en} fraud desk on ${BANK_FRAUD_DESK_PHONE} (24 hours).`,
};

/**
 * What a refused customer is told, in Japanese and English. A locked credential says so, why and whom to call:
 * the lock SMS has told the holder already, and an unknown login id locks the same way, so an attacker learns nothing.
 */
export const SIGN_IN_REFUSAL_TEXT: Record<SignInRefusal | 'pin_locked', { ja: string; en: string }> = {
  credential_invalid: { ja: 'ログインIDまたはパスワードが違います。', en: 'Wrong login ID or password.' },
  credential_attempts_locked: {
    ja: `パスワードを続けて${PASSWORD_FAILURES_PER_ACCOUNT_MAX}回間違えたため、不正利用を防ぐためにインターネットバンキングのログインをロックしました。${CALL.ja}`,
    en: `Internet banking is locked for this login after ${PASSWORD_FAILURES_PER_ACCOUNT_MAX} wrong passwords in a row, to protect your account. ${CALL.en}`,
  },
  second_factor_locked: {
    ja: `認証コードを続けて${SECOND_FACTOR_FAILURES_MAX}回間違えたため、不正利用を防ぐためにこの認証方法をロックしました。${CALL.ja}`,
    en: `This verification method is locked after ${SECOND_FACTOR_FAILURES_MAX} wrong codes in a row, to protect your account. ${CALL.en}`,
  },
  pin_locked: {
    ja: `暗証番号を続けて${PIN_FAILURES_PER_ACCOUNT_MAX}回間違えたため、不正利用を防ぐためにこの口座の暗証番号による連携をロックしました。${CALL.ja}`,
    en: `Linking with this account's cash-card PIN is locked after ${PIN_FAILURES_PER_ACCOUNT_MAX} wrong tries in a row, to protect the account. ${CALL.en}`,
  },
  too_many_attempts: {
    ja: 'この接続元からの試行が多すぎるため、しばらく受け付けを止めています。時間をおいてお試しください。',
    en: 'Too many attempts from this connection. Please wait a while and try again.',
  },
};

/** Both languages on one line, Japanese first, as the bank's bilingual pages show them. */
export function signInRefusalBilingual(refusal: SignInRefusal | 'pin_locked'): string {
  const text = SIGN_IN_REFUSAL_TEXT[refusal];
  return `${text.ja} ${text.en}`;
}

/** The HTTP status of each refusal's page: 423 Locked for a lock, as the API answers it. */
export const SIGN_IN_REFUSAL_STATUS: Record<SignInRefusal, number> = {
  credential_invalid: 401, credential_attempts_locked: 423, second_factor_locked: 423, too_many_attempts: 429,
};
