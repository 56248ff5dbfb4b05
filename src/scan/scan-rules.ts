import type { ScanRule } from './scan-rule.ts';
import { drainAfterLink } from './rules/drain-after-link.ts';
import { sharedDeviceSeveralCustomers } from './rules/shared-device-several-customers.ts';
import { identityNeverMatched } from './rules/identity-never-matched.ts';
import { noBankSignIn } from './rules/no-bank-sign-in.ts';
import { dormantOrElderlyCharged } from './rules/dormant-or-elderly-charged.ts';
import { credentialAttackBeforeLink } from './rules/credential-attack-before-link.ts';
import { reportedNotMe } from './rules/reported-not-me.ts';
import { confirmedFraud } from './rules/confirmed-fraud.ts';

/**
 * Every scan-only rule, in one table: the typologies that need a whole history, then what the bank knows now.
 * Each link in a scan runs through all of them after today's real-time rules (src/risk/risk-rules.ts) re-decided
 * its link request and each of its charges. docs/scan.md lists them with the pattern each catches.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each rule checks its own config type
export const scanRules: readonly ScanRule<any>[] = [
  drainAfterLink, // charges that empty the account within days of the link
  sharedDeviceSeveralCustomers, // one device or browser address behind several customers' links
  identityNeverMatched, // attested name or date of birth never matched
  noBankSignIn, // charged customer never signed in to the bank's pages in the window
  dormantOrElderlyCharged, // charged while dormant or 65+
  credentialAttackBeforeLink, // failed or locked credentials the day before the link
  reportedNotMe, // known now: the customer said "this wasn't me"
  confirmedFraud, // known now: staff resolved it as fraud
];
