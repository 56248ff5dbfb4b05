/** Where passkeys are valid: the relying party the browser checks them against. */
export interface PasskeyRelyingParty {
  /** The RP id: the bank's registrable domain (`bank.example`), never an IP address (WebAuthn refuses those). */
  rp_id: string;
  /** The exact origin the bank's pages are served from (`https://bank.example`); an assertion made elsewhere is refused. */
  origin: string;
  /** The name the browser shows while creating a passkey. */
  rp_name: string;
}

/** A customer's passkey, as the customer and staff see it. Never the public key. */
export interface PasskeyView {
  id: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  /** 'multiDevice' for a synced passkey (iCloud Keychain, Google Password Manager), 'singleDevice' for a security key. */
  device_type: string;
}

/**
 * Why a passkey answer was refused, each a stable code (src/errors/error-codes.ts): nothing else changes when
 * one is returned, except that the challenge it named is spent.
 */
export type PasskeyRefusalCode =
  | 'passkey_challenge_invalid'
  | 'passkey_challenge_expired'
  | 'passkey_credential_unknown'
  | 'passkey_verification_failed'
  | 'passkey_counter_regressed';

/** What a passkey answer proves, for `secondFactors.verify`: the answer and what it was asked for. */
export interface PasskeyAssertion {
  /** The browser's AuthenticationResponseJSON, as the page posted it (text, parsed here). */
  response: string;
  /** What the challenge approves: 'login', 'consent', a step-up purpose bound to a charge. */
  purpose: string;
  /** The session digest or interaction uid the challenge was issued to. */
  bound_to: string;
}
