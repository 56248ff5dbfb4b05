import { createHmac } from 'node:crypto';
import { assert } from '../shared/assert.ts';
import type { CredentialKind } from './credential-attempt.ts';

/**
 * Shortest fingerprint key accepted: 32 characters of a random string carry well over 128 bits.
 * The key must be the same in every process (so their fingerprints agree) and must live outside the
 * database (so a stolen copy of the attempts cannot be searched for the 10,000 possible PINs).
 */
export const FINGERPRINT_KEY_CHARS_MIN = 32;

/** Turns a secret into a keyed fingerprint: HMAC-SHA256(key, credential ‖ secret), base64url. */
export type SecretFingerprint = (credential: CredentialKind, secret: string) => string;

/** A fingerprint function over one server key, taken from configuration. */
export function createSecretFingerprint(key: string): SecretFingerprint {
  assert(key.length >= FINGERPRINT_KEY_CHARS_MIN, `the credential fingerprint key has at least ${FINGERPRINT_KEY_CHARS_MIN} characters`);
  return (credential, secret) =>
    // The credential kind is mixed in so that a password and a PIN that happen to be equal never match.
    createHmac('sha256', key).update(credential).update('\0').update(secret.normalize('NFKC')).digest('base64url');
}
