/**
 * Fraud pattern: a charge (or link) soon after failed or locked attempts at the customer's PIN, password or second
 * factor: someone guessing their way in. In 2020 the only secret was a 4-digit PIN, and thieves "stole and used bank
 * account numbers and passwords" (seeds/001: Kyodo/Jiji, September 2020). Failures come from src/throttle's tables,
 * locks also from src/mfa's. Documented in docs/risk-rules.md.
 */
import { bandFor, worseOutcome, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface ChargeAfterFailedLoginConfig {
  /** Bands over seconds since the last failed PIN or password attempt (within 24 hours). */
  failure_seconds_ago_bands: RiskBand[];
  /** Bands over seconds since a credential or second factor of the customer locked (within 7 days, or locked now). */
  lock_seconds_ago_bands: RiskBand[];
}

export const chargeAfterFailedLogin = defineRule<ChargeAfterFailedLoginConfig>({
  id: 'charge-after-failed-login',
  version: 1,
  catches: 'a charge or link right after failed or locked PIN, password or second-factor attempts',
  stages: ['link', 'charge'],
  configProblems: () => [],
  evaluate(features, config) {
    let outcome = { outcome: 'pass', reason: 'no_recent_failures' } as ReturnType<typeof bandFor>;
    if (features.credential_failure_seconds_ago !== null) outcome = bandFor(config.failure_seconds_ago_bands, features.credential_failure_seconds_ago);
    if (features.credential_lock_seconds_ago !== null) outcome = worseOutcome(outcome, bandFor(config.lock_seconds_ago_bands, features.credential_lock_seconds_ago));
    return outcome;
  },
});
