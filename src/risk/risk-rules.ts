import type { RiskRule } from './risk-rule.ts';
import { youngLink } from './rules/young-link.ts';
import { noLinkHistory } from './rules/no-link-history.ts';
import { newPayeeForCustomer } from './rules/new-payee-for-customer.ts';
import { weakLinkMethod } from './rules/weak-link-method.ts';
import { severalLinksOneDevice } from './rules/several-links-one-device.ts';
import { manyWalletsOneSource } from './rules/many-wallets-one-source.ts';
import { identityMatchBelowStrong } from './rules/identity-match-below-strong.ts';
import { velocityOverCaps } from './rules/velocity-over-caps.ts';
import { chargeAfterFailedLogin } from './rules/charge-after-failed-login.ts';
import { dormantAccountCharged } from './rules/dormant-account-charged.ts';
import { elderlyCustomerNewLink } from './rules/elderly-customer-new-link.ts';
import { amountAboveHistory } from './rules/amount-above-history.ts';
import { accountLinksSpread } from './rules/account-links-spread.ts';
import { operatorActivityAnomaly } from './rules/operator-activity-anomaly.ts';
import { recentPhoneNumber } from './rules/recent-phone-number.ts';
import { walletPhoneNotHolders } from './rules/wallet-phone-not-holders.ts';
import { smsLinkAfterSimSwap } from './rules/sms-link-after-sim-swap.ts';
import { newLinkSpending } from './rules/new-link-spending.ts';

/**
 * Every risk rule the bank knows, in one table (after node-oidc-provider's check table and Tazama's rule
 * processors). A config names the rules it runs as `id@version`; an id not in this table is refused at start-up.
 * docs/risk-rules.md lists them with the fraud pattern each catches.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each rule checks its own config type
export const riskRules: readonly RiskRule<any>[] = [
  youngLink, // a charge on a link made hours or weeks ago
  noLinkHistory, // the first money through a link
  newPayeeForCustomer, // an operator or wallet identity new to the customer
  weakLinkMethod, // a link made without a second factor
  severalLinksOneDevice, // several customers' accounts linked from one device
  manyWalletsOneSource, // many new wallets from one device or IP in a day
  identityMatchBelowStrong, // wallet identity weak, unverified or low KYC
  velocityOverCaps, // charges per link, customer, device, IP over caps
  chargeAfterFailedLogin, // right after failed or locked credentials
  dormantAccountCharged, // no money out for months, then linked or charged
  elderlyCustomerNewLink, // new link on an elderly customer's account
  amountAboveHistory, // large for this customer: above their largest, or with no history
  accountLinksSpread, // one account linked to several services in a week
  operatorActivityAnomaly, // an operator far above its own busiest window
  recentPhoneNumber, // the phone number on record set or changed within weeks
  walletPhoneNotHolders, // a wallet whose verified phone is not the holder's number
  smsLinkAfterSimSwap, // a link approved by SMS weeks or less after the SIM behind the number changed
  newLinkSpending, // a young link past a sum its holder never confirmed at the bank
];
