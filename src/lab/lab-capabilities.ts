import type { LabCapability } from './lab-capability.ts';
import { linkAccount } from './capabilities/link-account.ts';
import { topUp } from './capabilities/top-up.ts';
import { spendCash } from './capabilities/spend-cash.ts';
import { newPhone } from './capabilities/new-phone.ts';
import { answerStepUp } from './capabilities/answer-step-up.ts';
import { reportNotMe } from './capabilities/report-not-me.ts';
import { linkWithLeakedPin } from './capabilities/link-with-leaked-pin.ts';
import { linkThroughConsent } from './capabilities/link-through-consent.ts';
import { sprayCommonPins } from './capabilities/spray-common-pins.ts';
import { drainLink } from './capabilities/drain-link.ts';
import { chargeWithOperatorKeys } from './capabilities/charge-with-operator-keys.ts';
import { approveAsVictim } from './capabilities/approve-as-victim.ts';

/**
 * Everything the lab's people can do, one capability per file. Scenario files name them (`capability: top-up`);
 * a new kind of customer or attack is a new file and a line here, never a change to the engine.
 */
export const labCapabilities: readonly LabCapability[] = [
  // Customers
  linkAccount, // links at the bank's consent pages with a second factor, or on the 2020 PIN form where allowed
  topUp, // charges the linked account a few times a month, at the customer's own rate and amounts
  spendCash, // withdraws at the bank's ATM, so an active account does not look dormant
  newPhone, // moves their own number to a new SIM (a new handset): the carrier dates the change, texts still reach them
  answerStepUp, // approves a challenged charge they made; declines or ignores one they did not
  reportNotMe, // presses "this wasn't me" on a notice about a link or charge they did not make, after a delay
  // Attackers
  linkWithLeakedPin, // the 2020 path with leaked account number, PIN, name and date of birth (Docomo, Japan Post Bank)
  linkThroughConsent, // the hardened path with a forged eKYC: the bank's login and second factor with what is held
  sprayCommonPins, // reverse brute force: a few common PINs across many accounts, spread over operators and devices
  drainLink, // charges every link obtained up to the caps until the bank stops it
  approveAsVictim, // approves a charge held for approval as the holder: their password, their code by SIM swap or relay
  chargeWithOperatorKeys, // a leaked operator database: every link it holds charged once within minutes, from elsewhere
] as LabCapability[];

/** The capability with this id, or undefined. */
export function capabilityById(id: string): LabCapability | undefined {
  return labCapabilities.find((capability) => capability.id === id);
}
