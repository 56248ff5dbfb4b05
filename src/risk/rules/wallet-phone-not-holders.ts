/**
 * Fraud pattern: a wallet in the account holder's name whose verified phone is not the holder's number. The holder's
 * name and date of birth leak together (2020's thieves held both, seeds/001, 003), so a forged ID passes the
 * operator's eKYC with them; the phone the operator verified is the one the thief holds. A phishing thief who relays
 * the holder's codes links such a wallet at the bank (issue 12). People do change numbers without telling the bank,
 * so this alone stops nothing: `unmatched-wallet-phone@1` weighs it with a link no money has yet moved through,
 * which asks the holder to approve the wallet's first payment. Bands follow IDENTITY_MATCH_BANDS in
 * src/kyc/identity-match.ts: the weak band is exactly "name and date of birth agree, the phone does not".
 * Documented in docs/risk-rules.md.
 */
import { bandFor, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface WalletPhoneNotHoldersConfig {
  /** Bands over the identity-match score 0–100; a link without an attestation (the legacy path) passes, as its own typology weighs it. */
  score_bands: RiskBand[];
}

export const walletPhoneNotHolders = defineRule<WalletPhoneNotHoldersConfig>({
  id: 'wallet-phone-not-holders',
  version: 1,
  catches: "a wallet whose verified phone is not the account holder's number",
  stages: ['charge'],
  configProblems: () => [],
  evaluate(features, config) {
    if (features.identity_match_score === null) return { outcome: 'pass', reason: 'identity_not_attested' };
    return bandFor(config.score_bands, features.identity_match_score);
  },
});
