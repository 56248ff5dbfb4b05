/**
 * Fraud pattern: a charge (or link) after someone attacked the customer's PIN, password or second factor: failed
 * attempts in the last day, or, for weeks after, a lock or a PIN sprayed across accounts that a reverse-brute-force
 * alert names (a guessed PIN stays guessed; a patient thief waits out a day). In 2020 the only secret was a 4-digit
 * PIN, and thieves "stole and used bank account numbers and passwords" (seeds/001: Kyodo/Jiji, September 2020); Japan
 * Post Bank's thieves came back for weeks (seeds/004). Failures come from src/throttle's tables, locks also from
 * src/mfa's. Documented in docs/risk-rules.md.
 */
import { bandFor, worseOutcome, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface ChargeAfterFailedLoginConfig {
  /** Bands over seconds since the last failed PIN or password attempt (within 24 hours). */
  failure_seconds_ago_bands: RiskBand[];
  /** Bands over seconds since the last lock or reverse-brute-force hit on the customer's credentials (within 90 days). */
  attack_seconds_ago_bands: RiskBand[];
}

export const chargeAfterFailedLogin = defineRule<ChargeAfterFailedLoginConfig>({
  id: 'charge-after-failed-login',
  version: 2,
  catches: 'a charge or link after failed PIN or password attempts, or for weeks after a lock or a sprayed PIN',
  stages: ['link', 'charge'],
  configProblems: () => [],
  evaluate(features, config) {
    let outcome = { outcome: 'pass', reason: 'no_recent_failures' } as ReturnType<typeof bandFor>;
    if (features.credential_failure_seconds_ago !== null) outcome = bandFor(config.failure_seconds_ago_bands, features.credential_failure_seconds_ago);
    if (features.credential_attack_seconds_ago !== null) outcome = worseOutcome(outcome, bandFor(config.attack_seconds_ago_bands, features.credential_attack_seconds_ago));
    return outcome;
  },
});
