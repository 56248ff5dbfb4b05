/**
 * What an attacker may hold about the customers of a cohort (or, for `operator_keys`, about an operator). A
 * scenario lists what each attacker holds; a capability names what it needs, and a scenario that gives an attacker
 * a capability without its holdings is refused before anything runs.
 */
export const HOLDINGS = {
  account_number: 'the branch code and account number (leaked lists; 2020: seeds 001, 003)',
  pin: 'the 4-digit cash-card PIN (2020: seeds 001, 003)',
  name_and_birth_date: "the account holder's name in kana and date of birth (2020: seeds 003)",
  password: 'the internet-banking login id and password (phishing)',
  identity_document: "a forged identity document good enough for an operator's eKYC",
  phone_number: "control of the victim's phone number: their text messages reach the attacker (SIM swap)",
  relayed_code: "a relay of the victim's one-time codes, typed by the victim into a fake page",
  operator_keys: "an operator's keys: its client key and its users' link credentials (a leaked operator database)",
} as const;

export type Holding = keyof typeof HOLDINGS;

/** Every holding, in the order the schema lists them. */
export const HOLDING_NAMES = Object.keys(HOLDINGS) as Holding[];
