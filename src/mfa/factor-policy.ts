import type { FactorView, SecondFactorKind } from './second-factor.ts';

/**
 * How much a factor proves. `strong`: a secret held on one device the customer set up (an authenticator app; a
 * passkey joins here). `phone_number`: proves only control of the phone number on record, which a SIM swap or a
 * number port hands to a thief. A new kind is one line here.
 */
export const FACTOR_STRENGTHS: Record<SecondFactorKind, 'strong' | 'phone_number'> = {
  passkey: 'strong',
  totp: 'strong',
  sms: 'phone_number',
};

/**
 * Whether a factor's proof is bound to the bank's origin, so a fake page cannot pass it on: a passkey signs for the
 * bank's origin only; a typed code (SMS or an authenticator app's) is as good on a thief's page as on the bank's.
 */
export const PHISHING_RESISTANT: Record<SecondFactorKind, boolean> = {
  passkey: true,
  totp: false,
  sms: false,
};

/**
 * How long after a link is made a typed code cannot approve its charges: 24 hours. A code relayed from a fake page is
 * typed while the victim is on that page; a day later the thief must find the victim again, who by then has had the
 * link's notice by SMS and e-mail. A passkey, which no fake page can pass on, approves at once.
 */
export const NEW_LINK_CODE_COOLING_OFF_MS = 24 * 60 * 60 * 1000;

/** What a second factor is asked to approve. `link` and `step_up` move money or open the way to it. */
export type FactorAct = 'link' | 'step_up' | 'enrol_factor';

/**
 * How long a newly enrolled factor cannot approve money or vouch for another factor: 24 hours. The enrolment
 * notice goes by SMS and e-mail at once, and a day is long enough for a customer to read one of them (a night's
 * sleep, a working day without mail) and call the bank before a thief's own authenticator can move money.
 */
export const NEW_FACTOR_COOLING_OFF_MS = 24 * 60 * 60 * 1000;

/** Why a factor the customer holds may not approve an act. */
export type FactorRefusal = 'stronger_factor_enrolled' | 'factor_cooling_off' | 'new_link_cooling_off';

/** The factors that may approve an act, and those held but refused, with why. */
export interface FactorsForAct {
  allowed: FactorView[];
  refused: { factor: SecondFactorKind; reason: FactorRefusal; usable_from?: Date }[];
}

/** When an enrolled factor leaves cooling-off. */
export const coolingOffEnds = (factor: FactorView): Date | null =>
  factor.enrolled_at ? new Date(factor.enrolled_at.getTime() + NEW_FACTOR_COOLING_OFF_MS) : null;

/**
 * Which of the customer's factors may approve `act` at `now`: the one place that says so. Where a strong factor is
 * enrolled and out of its cooling-off (locked or not: a thief who locks it by typing wrong codes must not fall back
 * to SMS), a phone-number factor alone approves no link, step-up or new factor; recovery of a lost strong factor is
 * a staff action at a branch. A factor still in cooling-off approves no money and vouches for no new factor; the
 * customer's older factors keep working meanwhile. Pending factors approve nothing.
 */
export function factorsForAct(factors: readonly FactorView[], _act: FactorAct, now: Date): FactorsForAct {
  const cooling = (factor: FactorView) => (coolingOffEnds(factor)?.getTime() ?? Infinity) > now.getTime();
  const strong_established = factors.some((factor) => factor.status !== 'pending' && FACTOR_STRENGTHS[factor.factor] === 'strong' && !cooling(factor));
  const result: FactorsForAct = { allowed: [], refused: [] };
  for (const factor of factors) {
    if (factor.status !== 'active') continue;
    if (FACTOR_STRENGTHS[factor.factor] === 'phone_number' && strong_established) {
      result.refused.push({ factor: factor.factor, reason: 'stronger_factor_enrolled' });
    } else if (FACTOR_STRENGTHS[factor.factor] === 'strong' && cooling(factor)) {
      // Every act here is money or a new factor; a factor that vouched for a second one would shorten the wait.
      result.refused.push({ factor: factor.factor, reason: 'factor_cooling_off', usable_from: coolingOffEnds(factor)! });
    } else {
      result.allowed.push(factor);
    }
  }
  return result;
}

/**
 * The factors that may approve a charge on a link made at `link_made_at`: those of `factorsForAct`, less every typed
 * code until the link is `cooling_off_ms` old (NEW_LINK_CODE_COOLING_OFF_MS unless configured); a passkey stays.
 */
export function factorsForNewLinkCharge(choices: FactorsForAct, link_made_at: Date, now: Date, cooling_off_ms = NEW_LINK_CODE_COOLING_OFF_MS): FactorsForAct {
  const usable_from = new Date(link_made_at.getTime() + cooling_off_ms);
  if (usable_from.getTime() <= now.getTime()) return choices;
  const codes = choices.allowed.filter((factor) => !PHISHING_RESISTANT[factor.factor]);
  return {
    allowed: choices.allowed.filter((factor) => PHISHING_RESISTANT[factor.factor]),
    refused: [...choices.refused, ...codes.map((factor) => ({ factor: factor.factor, reason: 'new_link_cooling_off' as const, usable_from }))],
  };
}
