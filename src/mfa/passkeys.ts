import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { decodeClientDataJSON } from '@simplewebauthn/server/helpers';
import type { NewAlert } from '../cases/alert.ts';
import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import { assert } from '../shared/assert.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import type { PasskeyAssertion, PasskeyRefusalCode, PasskeyRelyingParty, PasskeyView } from './passkey.ts';

/**
 * How long a challenge may be answered: long enough to find the phone and touch the sensor, short enough that a
 * page left open does not hold a live challenge. The browser's own prompt gives up sooner (PASSKEY_PROMPT_TIMEOUT_MS).
 */
export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** How long the browser shows its passkey prompt before giving up (WebAuthn `timeout`). */
export const PASSKEY_PROMPT_TIMEOUT_MS = 2 * 60 * 1000;
/** Passkeys one customer may hold: a phone, a laptop, two security keys and room to spare; more is a thief's collection. */
export const PASSKEYS_PER_CUSTOMER_MAX = 10;
/**
 * Live challenges kept per customer: each page showing "use a passkey" issues one, so reloads would otherwise pile
 * them up; the oldest beyond this are spent when a new one is issued.
 */
export const PASSKEY_CHALLENGES_LIVE_MAX = 5;
/** Longest browser answer read: a registration with a large attestation is a few kilobytes; nothing legitimate nears this. */
export const PASSKEY_RESPONSE_CHARS_MAX = 16_000;
/** Longest name a customer gives a passkey. */
export const PASSKEY_NAME_CHARS_MAX = 64;
/** The purpose a registration challenge carries. */
export const PASSKEY_REGISTRATION_PURPOSE = 'enrol_passkey';

type Ceremony = 'registration' | 'authentication';
type Refusal = { ok: false; code: PasskeyRefusalCode };

interface PasskeyRow {
  id: string;
  customer_id: string;
  credential_id: string;
  public_key: Uint8Array;
  sign_count: string | number;
  transports: string[];
}

/** A credential whose registration verified, not yet stored: the customer's other factor must vouch for it first. */
export interface VerifiedRegistration {
  credential_id: string;
  public_key: Uint8Array;
  sign_count: number;
  transports: string[];
  device_type: string;
  backed_up: boolean;
}

export interface PasskeysDeps {
  db: Database;
  clock: Clock;
  ids: Ids;
  log: Logger;
  relying_party: PasskeyRelyingParty;
  /** Where a cloned-authenticator alert goes (src/cases raiseAlert); none when no case store is wired. */
  raiseAlerts?: (tx: Queryable, alerts: readonly NewAlert[]) => Promise<unknown>;
}

/** Parses the browser's answer; undefined unless it is a JSON object with the fields WebAuthn answers carry. */
function parseResponse<T extends { id: string; response: { clientDataJSON: string } }>(text: string): T | undefined {
  if (text.length === 0 || text.length > PASSKEY_RESPONSE_CHARS_MAX) return undefined;
  try {
    const parsed = JSON.parse(text) as T;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.id !== 'string' || typeof parsed.response?.clientDataJSON !== 'string') return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}

/** The challenge a browser answer names, read from its client data; undefined if unreadable. */
function challengeOf(response: { response: { clientDataJSON: string } }): string | undefined {
  try {
    const challenge = decodeClientDataJSON(response.response.clientDataJSON).challenge;
    return typeof challenge === 'string' && challenge.length <= 128 ? challenge : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Customers' passkeys (WebAuthn through @simplewebauthn/server): registration and assertion options with a
 * single-use, short-lived challenge bound to the customer, its purpose and the browser session; verification against
 * the configured origin and RP id with user verification required; the signature counter checked for clones.
 */
export function createPasskeys({ db, clock, ids, log, relying_party, raiseAlerts }: PasskeysDeps) {
  const { rp_id, origin, rp_name } = relying_party;

  const issueChallenge = async (customer_id: string, ceremony: Ceremony, purpose: string, bound_to: string, challenge: string) => {
    const now = clock.now();
    await db.transaction(async (tx) => {
      // The oldest live ones beyond the cap are spent, so reloading a page never piles up answerable challenges.
      await tx.query(
        `UPDATE passkey_challenges SET spent_at = $2
          WHERE challenge IN (SELECT challenge FROM passkey_challenges WHERE customer_id = $1 AND spent_at IS NULL AND expires_at > $2
                               ORDER BY created_at DESC OFFSET $3)`,
        [customer_id, now, PASSKEY_CHALLENGES_LIVE_MAX - 1],
      );
      await tx.query(`DELETE FROM passkey_challenges WHERE customer_id = $1 AND expires_at <= $2`, [customer_id, new Date(now.getTime() - PASSKEY_CHALLENGE_TTL_MS)]);
      await tx.query(
        `INSERT INTO passkey_challenges (challenge, customer_id, ceremony, purpose, bound_to, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [challenge, customer_id, ceremony, purpose, bound_to, now, new Date(now.getTime() + PASSKEY_CHALLENGE_TTL_MS)],
      );
    });
  };

  /**
   * Spends the challenge an answer names, in its own transaction so that it stays spent whatever the verification
   * says. Refused when it is not this customer's for this ceremony, purpose and session, already spent, or expired.
   */
  const spendChallenge = async (customer_id: string, ceremony: Ceremony, challenge: string, purpose: string, bound_to: string): Promise<{ ok: true } | Refusal> =>
    db.transaction(async (tx) => {
      const [row] = await tx.query<{ customer_id: string; ceremony: string; purpose: string; bound_to: string; expires_at: Date; spent_at: Date | null }>(
        `SELECT customer_id, ceremony, purpose, bound_to, expires_at, spent_at FROM passkey_challenges WHERE challenge = $1 FOR UPDATE`,
        [challenge],
      );
      // Someone else's challenge is left alone: an answer must not spend what another customer was shown.
      if (!row || row.customer_id !== customer_id) return { ok: false, code: 'passkey_challenge_invalid' } as const;
      if (row.spent_at) return { ok: false, code: 'passkey_challenge_invalid' } as const;
      await tx.query(`UPDATE passkey_challenges SET spent_at = $2 WHERE challenge = $1`, [challenge, clock.now()]);
      if (row.ceremony !== ceremony || row.purpose !== purpose || row.bound_to !== bound_to) return { ok: false, code: 'passkey_challenge_invalid' } as const;
      if (row.expires_at <= clock.now()) return { ok: false, code: 'passkey_challenge_expired' } as const;
      return { ok: true } as const;
    });

  const credentialsOf = (customer_id: string) =>
    db.query<{ credential_id: string; transports: string[] }>(
      `SELECT credential_id, transports FROM passkeys WHERE customer_id = $1 ORDER BY created_at`,
      [customer_id],
    );

  const refuse = (customer_id: string, code: PasskeyRefusalCode, detail?: string): Refusal => {
    log.warn({ customer_id, code, detail }, 'passkey answer refused');
    return { ok: false, code };
  };

  return {
    relying_party,

    /** Options for creating a passkey, for this customer in this session; the customer's existing passkeys are excluded. */
    async registrationOptions(customer_id: string, bound_to: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const [customer] = await db.query<{ login_id: string }>(`SELECT login_id FROM customers WHERE id = $1`, [customer_id]);
      assert(customer, `customer ${customer_id} exists`);
      const options = await generateRegistrationOptions({
        rpName: rp_name, rpID: rp_id,
        // The user handle is the customer's id as bytes: stored on the authenticator, so never a name or login id.
        userID: new Uint8Array(Buffer.from(customer_id.replaceAll('-', ''), 'hex')),
        userName: customer.login_id, userDisplayName: customer.login_id,
        attestationType: 'none', timeout: PASSKEY_PROMPT_TIMEOUT_MS,
        excludeCredentials: (await credentialsOf(customer_id)).map((row) => ({ id: row.credential_id, transports: row.transports as never })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      });
      await issueChallenge(customer_id, 'registration', PASSKEY_REGISTRATION_PURPOSE, bound_to, options.challenge);
      return options;
    },

    /**
     * Checks a registration answer (spending its challenge): origin, RP id, user verification. Stores nothing:
     * the caller has the customer's existing factor vouch first, then calls `store`.
     */
    async checkRegistration(customer_id: string, response_text: string, bound_to: string): Promise<{ ok: true; registration: VerifiedRegistration } | Refusal> {
      if (!isUuid(customer_id)) return { ok: false, code: 'passkey_challenge_invalid' };
      const response = parseResponse<RegistrationResponseJSON>(response_text);
      const challenge = response && challengeOf(response);
      if (!response || !challenge) return refuse(customer_id, 'passkey_verification_failed', 'unreadable registration');
      const spent = await spendChallenge(customer_id, 'registration', challenge, PASSKEY_REGISTRATION_PURPOSE, bound_to);
      if (!spent.ok) return refuse(customer_id, spent.code);
      let verified;
      try {
        verified = await verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: rp_id, requireUserVerification: true });
      } catch (error) {
        return refuse(customer_id, 'passkey_verification_failed', (error as Error).message);
      }
      if (!verified.verified) return refuse(customer_id, 'passkey_verification_failed', 'registration not verified');
      const { credential, credentialDeviceType, credentialBackedUp } = verified.registrationInfo;
      return {
        ok: true,
        registration: {
          credential_id: credential.id, public_key: credential.publicKey, sign_count: credential.counter,
          transports: credential.transports ?? response.response.transports ?? [], device_type: credentialDeviceType, backed_up: credentialBackedUp,
        },
      };
    },

    /** Stores a checked registration under the customer's name for it; refused at the per-customer cap or for a known credential. */
    async store(tx: Queryable, customer_id: string, registration: VerifiedRegistration, name: string): Promise<{ ok: true; id: string } | { ok: false; code: 'passkeys_limit_reached' | 'passkey_already_registered' }> {
      assert(name.length >= 1 && name.length <= PASSKEY_NAME_CHARS_MAX, 'a passkey name is checked at the boundary');
      // The customer row serialises enrolments for one customer, so the cap holds under concurrent requests.
      await tx.query(`SELECT 1 FROM customers WHERE id = $1 FOR UPDATE`, [customer_id]);
      const [held] = await tx.query<{ count: string | number }>(`SELECT count(*) AS count FROM passkeys WHERE customer_id = $1`, [customer_id]);
      if (Number(held!.count) >= PASSKEYS_PER_CUSTOMER_MAX) return { ok: false, code: 'passkeys_limit_reached' };
      const id = ids.next();
      const [inserted] = await tx.query(
        `INSERT INTO passkeys (id, customer_id, credential_id, public_key, sign_count, transports, name, device_type, backed_up, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (credential_id) DO NOTHING RETURNING 1`,
        [id, customer_id, registration.credential_id, registration.public_key, registration.sign_count, JSON.stringify(registration.transports),
          name, registration.device_type, registration.backed_up, clock.now()],
      );
      if (!inserted) return { ok: false, code: 'passkey_already_registered' };
      return { ok: true, id };
    },

    /** Options for proving a passkey for `purpose` in this session; undefined when the customer has none. */
    async authenticationOptions(customer_id: string, purpose: string, bound_to: string): Promise<PublicKeyCredentialRequestOptionsJSON | undefined> {
      const credentials = await credentialsOf(customer_id);
      if (credentials.length === 0) return undefined;
      const options = await generateAuthenticationOptions({
        rpID: rp_id, timeout: PASSKEY_PROMPT_TIMEOUT_MS, userVerification: 'required',
        allowCredentials: credentials.map((row) => ({ id: row.credential_id, transports: row.transports as never })),
      });
      await issueChallenge(customer_id, 'authentication', purpose, bound_to, options.challenge);
      return options;
    },

    /**
     * Verifies a passkey answer for `purpose` in this session. Refused, with a stable code and nothing changed but
     * the challenge spent: a challenge not issued here (or replayed, or expired), a credential the customer does not
     * hold, an answer made for another origin or RP id or without user verification, and a signature counter that
     * did not move forward (a cloned authenticator: staff are alerted).
     */
    async verifyAssertion(customer_id: string, assertion: PasskeyAssertion): Promise<{ ok: true; passkey_id: string } | Refusal> {
      if (!isUuid(customer_id)) return { ok: false, code: 'passkey_challenge_invalid' };
      const response = parseResponse<AuthenticationResponseJSON>(assertion.response);
      const challenge = response && challengeOf(response);
      if (!response || !challenge) return refuse(customer_id, 'passkey_verification_failed', 'unreadable assertion');
      const spent = await spendChallenge(customer_id, 'authentication', challenge, assertion.purpose, assertion.bound_to);
      if (!spent.ok) return refuse(customer_id, spent.code);
      const [row] = await db.query<PasskeyRow>(
        `SELECT id, customer_id, credential_id, public_key, sign_count, transports FROM passkeys WHERE credential_id = $1 AND customer_id = $2`,
        [response.id, customer_id],
      );
      if (!row) return refuse(customer_id, 'passkey_credential_unknown');
      const sign_count_stored = Number(row.sign_count);
      let verified;
      try {
        // The library is given a zero counter so that it checks the signature only; the counter is compared below,
        // against the stored value under a row lock, so that a regression has its own code and its own alert.
        verified = await verifyAuthenticationResponse({
          response, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: rp_id, requireUserVerification: true,
          credential: { id: row.credential_id, publicKey: new Uint8Array(row.public_key), counter: 0, transports: row.transports as never },
        });
      } catch (error) {
        return refuse(customer_id, 'passkey_verification_failed', (error as Error).message);
      }
      if (!verified.verified) return refuse(customer_id, 'passkey_verification_failed', 'assertion not verified');
      const sign_count = verified.authenticationInfo.newCounter;
      const moved = await db.transaction(async (tx) => {
        // Counters that stay at zero are authenticators that do not count (synced passkeys); any other must rise.
        const rows = await tx.query(
          `UPDATE passkeys SET sign_count = $2, last_used_at = $3 WHERE id = $1 AND ((sign_count = 0 AND $2::bigint = 0) OR sign_count < $2::bigint) RETURNING 1`,
          [row.id, sign_count, clock.now()],
        );
        if (rows.length > 0) return true;
        await raiseAlerts?.(tx, [{
          kind: 'passkey_counter_regressed', severity: 'high', customer_id, reason_codes: ['passkey_counter_regressed'],
          summary: 'A passkey answered with a signature counter that did not move forward: the authenticator may be cloned',
          details: { passkey_id: row.id, sign_count_stored, sign_count_answered: sign_count, see: '/staff/security' },
        }]);
        return false;
      });
      if (!moved) return refuse(customer_id, 'passkey_counter_regressed', `stored ${sign_count_stored}, answered ${sign_count}`);
      return { ok: true, passkey_id: row.id };
    },

    /** The customer's passkeys, oldest first. */
    async list(customer_id: string): Promise<PasskeyView[]> {
      if (!isUuid(customer_id)) return [];
      return db.query<PasskeyView>(
        `SELECT id, name, created_at, last_used_at, device_type FROM passkeys WHERE customer_id = $1 ORDER BY created_at, id`,
        [customer_id],
      );
    },

    /** Deletes one of the customer's passkeys, in the caller's transaction; false if the customer holds no such passkey. */
    async remove(tx: Queryable, customer_id: string, passkey_id: string): Promise<boolean> {
      if (!isUuid(customer_id) || !isUuid(passkey_id)) return false;
      const rows = await tx.query(`DELETE FROM passkeys WHERE id = $1 AND customer_id = $2 RETURNING 1`, [passkey_id, customer_id]);
      return rows.length > 0;
    },
  };
}

export type Passkeys = ReturnType<typeof createPasskeys>;
