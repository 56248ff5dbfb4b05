/**
 * Fraud pattern: a link approved by an SMS code soon after the carrier moved the holder's number to a new SIM. A
 * SIM-swap thief receives every code sent to the number; the bank refuses SMS for money within the carrier's
 * 72-hour window (src/telecom/sim-swap-check.ts), so a patient thief waits that out and links on day four, while the
 * victim's phone is still dead. The carrier's last change is asked at the approval and kept on the link
 * (`links.sms_sim_changed_at`); this rule watches that link's charges until the change is weeks old, by when a victim
 * has been to the carrier's shop. An honest customer with a new SIM who links a wallet by SMS in those weeks is caught
 * too: a link approved by a passkey or an authenticator is not. `sim-swap-link@1` in src/risk/default-risk-config.ts
 * holds the money for staff, since a challenge would go by SMS to the same SIM. Documented in docs/risk-rules.md.
 */
import { bandFor, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface SmsLinkAfterSimSwapConfig {
  /** Bands over whole hours since the SIM change, on a link approved by SMS after it. */
  sim_change_age_hours_bands: RiskBand[];
}

export const smsLinkAfterSimSwap = defineRule<SmsLinkAfterSimSwapConfig>({
  id: 'sms-link-after-sim-swap',
  version: 1,
  catches: 'a charge on a link approved by an SMS code weeks or less after the SIM behind the number changed',
  stages: ['charge'],
  configProblems: () => [],
  evaluate(features, config) {
    if (features.sms_link_sim_change_age_hours === null) return { outcome: 'pass', reason: 'no_sim_change_before_sms_link' };
    return bandFor(config.sim_change_age_hours_bands, features.sms_link_sim_change_age_hours);
  },
});
