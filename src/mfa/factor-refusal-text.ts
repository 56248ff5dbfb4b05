import { BANK_FRAUD_DESK_PHONE, BANK_NAME } from '../notify/bank-contact.ts';
import { japanClock, japanDate } from '../shared/japan-time.ts';
import { SIM_SWAP_WINDOW_HOURS } from '../telecom/sim-swap-check.ts';
import type { FactorGateRefusal } from './factor-gate.ts';
import type { FactorRefusal, FactorsForAct } from './factor-policy.ts';

type Bilingual = { ja: string; en: string };

const BRANCH = {
  ja: `お近くの支店 (本人確認書類をお持ちください) または ${BANK_NAME.ja} 不正利用ダイヤル ${BANK_FRAUD_DESK_PHONE} (24時間) へ`,
  en: `a branch (bring photo ID) or the ${BANK_NAME.en} fraud desk on ${BANK_FRAUD_DESK_PHONE} (24 hours)`,
};

/**
 * What a customer is told when a factor is refused before its code is read. Each says what to do instead: another
 * factor, or a branch. Recovery of a lost authenticator is a staff action at a branch, never an SMS code.
 */
export const FACTOR_REFUSAL_TEXT: Record<FactorGateRefusal, Bilingual> = {
  second_factor_not_allowed: {
    ja: `この操作にはこの認証方法を使えません。認証アプリなど、ご登録の別の方法をお使いください。認証アプリをなくした場合は、SMSでは再登録できません。${BRANCH.ja}ご相談ください。`,
    en: `This verification method cannot approve this. Use another one you registered, such as your authenticator app. A lost authenticator cannot be replaced by SMS: contact ${BRANCH.en}.`,
  },
  sim_swap_detected: {
    ja: `ご登録の電話番号のSIMカードが最近(${SIM_SWAP_WINDOW_HOURS}時間以内)変更されたと携帯電話会社から連絡があったため、SMSではこの操作を承認できません。認証アプリなど別の方法をお使いいただくか、${BRANCH.ja}ご連絡ください。SIMを変更していない場合は、すぐにお電話ください。`,
    en: `Your mobile carrier reports that the SIM for your registered number changed in the last ${SIM_SWAP_WINDOW_HOURS} hours, so a text message cannot approve this. Use another method such as your authenticator app, or contact ${BRANCH.en}. If you did not change your SIM, call us at once.`,
  },
  sim_swap_check_unavailable: {
    ja: `携帯電話会社にSIMカードの状態を確認できないため、今はSMSでこの操作を承認できません。認証アプリなど別の方法をお使いいただくか、しばらくしてからお試しください。`,
    en: `We cannot check your SIM with your mobile carrier right now, so a text message cannot approve this at the moment. Use another method such as your authenticator app, or try again later.`,
  },
};

/**
 * A note under the choice of methods for the factors held but not usable for this act, and until when, with the reason
 * it is for; one per reason (a new link refuses SMS and the authenticator alike), empty if none.
 */
export function refusedFactorsNote(refused: FactorsForAct['refused']): (Bilingual & { reason: FactorRefusal })[] {
  const once = refused.filter((refusal, index) => refused.findIndex((other) => other.reason === refusal.reason) === index);
  return once.map((refusal) => ({ reason: refusal.reason, ...noteFor(refusal) }));
}

/** What one refusal's note says, with the time it ends where it has one. */
function noteFor(refusal: FactorsForAct['refused'][number]): Bilingual {
  const at_ja = refusal.usable_from ? `${japanDate(refusal.usable_from)} ${japanClock(refusal.usable_from)}` : '';
  if (refusal.reason === 'new_link_cooling_off') {
    return {
      ja: `このサービスとの口座連携は最近行われたため、不正利用を防ぐため ${at_ja} までは、認証コード(SMS・認証アプリ)ではお支払いを承認できません。パスキーなら今すぐ承認できます。ご自身で連携していない場合は「拒否する」を押してください。`,
      en: `This service was linked to your account only recently, so to protect you a code (text message or authenticator app) cannot approve its payments until ${at_ja} (Japan time). A passkey can approve now. If you did not make this link, press Decline.`,
    };
  }
  if (refusal.reason === 'factor_cooling_off') {
    return {
      ja: `新しく登録した認証アプリは、不正利用を防ぐため ${at_ja} まで、お支払いと口座連携の承認には使えません。それまでは従来の方法をお使いください。`,
      en: `A newly registered authenticator app cannot approve payments or links until ${at_ja} (Japan time), to protect you; until then use your earlier method.`,
    };
  }
  return {
    ja: `認証アプリなど、より強い認証方法を登録済みのため、SMSでは承認できません。なくした場合は、${BRANCH.ja}ご相談ください。`,
    en: `You registered a stronger method (such as an authenticator app), so a text message cannot approve this. If you lost it, contact ${BRANCH.en}.`,
  };
}
