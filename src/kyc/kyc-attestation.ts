import {
  SignJWT,
  createLocalJWKSet,
  errors,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyOptions,
  type KeyObject,
} from 'jose';
import { KYC_LEVELS, type KycLevel } from '../operators/operator.ts';
import type { ErrorCode } from '../errors/error-codes.ts';
import { normalizeKanaName } from '../linking/kana-name.ts';
import { normalizePhoneNumber } from './phone-number.ts';

/** The JWS `typ` header: explicit typing (RFC 8725 §3.11) so no other JWT an operator signs can pass as an attestation. */
export const KYC_ATTESTATION_TYPE = 'kyc-attestation+jwt';

/** The signing algorithms FAPI 2.0 allows; symmetric ones (HS256) and `none` never verify. */
export const KYC_ATTESTATION_ALGORITHMS = ['PS256', 'ES256', 'EdDSA'] as const;
export type KycAttestationAlgorithm = (typeof KYC_ATTESTATION_ALGORITHMS)[number];

/** Longest an attestation may live, exp − iat: long enough for the user to reach the bank's consent page, short enough that a leaked one is soon useless. */
export const KYC_ATTESTATION_LIFETIME_SECONDS_MAX = 10 * 60;
/** Clock skew tolerated between the operator's clock and the bank's, on `exp` and `iat`. */
export const KYC_ATTESTATION_CLOCK_SKEW_SECONDS_MAX = 30;
/** Largest compact JWS accepted; a real one is under 2 KB, and anything larger is not parsed at all. */
export const KYC_ATTESTATION_CHARACTERS_MAX = 8 * 1024;
/** Longest `sub`, `jti` and `kyc.method`: identifiers, not documents. */
const KYC_IDENTIFIER_CHARACTERS_MAX = 256;
/** Longest `kyc.name_kana`: Zengin allows 48 half-width characters for an account holder; this leaves room for spaces. */
const KYC_NAME_KANA_CHARACTERS_MAX = 100;
/** Longest `kyc.phone` as written, punctuation included. */
const KYC_PHONE_CHARACTERS_MAX = 32;
/** Japan Standard Time, UTC+9, in which a date of birth is a calendar date. */
const JAPAN_UTC_OFFSET_MS = 9 * 60 * 60 * 1000;

/** What the operator verified about its user. */
export interface KycClaims {
  level: KycLevel;
  /** How, e.g. 'ekyc_document_face:simulator'. */
  method: string;
  /** When, epoch seconds. */
  verified_at: number;
  name_kana: string;
  /** YYYY-MM-DD. */
  birth_date: string;
  phone: string;
}

/** The claims of a KYC attestation: a JWT from the operator (`iss`) to the bank (`aud`) about its user (`sub`). */
export interface KycAttestationClaims {
  /** The operator's client_id. */
  iss: string;
  /** The bank's issuer URL. */
  aud: string;
  /** The operator's own user id. */
  sub: string;
  /** Epoch seconds. */
  iat: number;
  /** Epoch seconds, at most KYC_ATTESTATION_LIFETIME_SECONDS_MAX after iat. */
  exp: number;
  jti: string;
  kyc: KycClaims;
}

export type KycAttestationFailureCode = Extract<ErrorCode, 'kyc_attestation_invalid' | 'kyc_attestation_expired' | 'kyc_level_too_low'>;

/** The outcome of verifying an attestation: a value, never an exception. `detail` is for logs and problem details, never for branching. */
export type KycAttestationResult =
  | { ok: true; attestation: KycAttestationClaims }
  | { ok: false; code: KycAttestationFailureCode; detail: string };

export interface VerifyKycAttestationOptions {
  /** The operator's registered public keys. */
  jwks: JSONWebKeySet;
  /** The operator's client_id: the attestation's required `iss`. */
  client_id: string;
  /** The bank's issuer URL: the attestation's required `aud`. */
  audience: string;
  /** The injected clock's now; it alone decides expiry. */
  now: Date;
  /** The operator's policy minimum. */
  level_min: KycLevel;
}

/** Signs KYC attestation claims as a compact JWS with the operator's private key, for the reference wallet and tests. */
export async function signKycAttestation(
  claims: KycAttestationClaims,
  privateKey: CryptoKey | KeyObject | JWK,
  alg: KycAttestationAlgorithm,
  options: { kid?: string } = {},
): Promise<string> {
  return new SignJWT({ ...claims, kyc: { ...claims.kyc } })
    .setProtectedHeader({ alg, typ: KYC_ATTESTATION_TYPE, ...(options.kid === undefined ? {} : { kid: options.kid }) })
    .sign(privateKey);
}

/** Verifies an operator's KYC attestation against its registered keys, the bank's audience, the clock and the operator's minimum level. */
export async function verifyKycAttestation(jws: string, options: VerifyKycAttestationOptions): Promise<KycAttestationResult> {
  if (typeof jws !== 'string' || jws.length === 0 || jws.length > KYC_ATTESTATION_CHARACTERS_MAX) {
    return invalid(`the attestation must be a compact JWS of at most ${KYC_ATTESTATION_CHARACTERS_MAX} characters`);
  }
  // A registered JWKS that jose cannot read is the bank's misconfiguration, not the operator's bad
  // input, so it throws here rather than becoming kyc_attestation_invalid.
  const keys = createLocalJWKSet(options.jwks);
  const verifyOptions: JWTVerifyOptions = {
    algorithms: [...KYC_ATTESTATION_ALGORITHMS],
    typ: KYC_ATTESTATION_TYPE,
    issuer: options.client_id,
    audience: options.audience,
    currentDate: options.now,
    clockTolerance: KYC_ATTESTATION_CLOCK_SKEW_SECONDS_MAX,
    // Also makes jose refuse an iat in the future (beyond the skew) and require iat.
    maxTokenAge: KYC_ATTESTATION_LIFETIME_SECONDS_MAX,
    requiredClaims: ['iss', 'aud', 'sub', 'iat', 'exp', 'jti', 'kyc'],
  };

  let payload: JWTPayload;
  try {
    payload = await verifyWithAnyMatchingKey(jws, keys, verifyOptions);
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, code: 'kyc_attestation_expired', detail: error.message };
    if (error instanceof errors.JOSEError) return invalid(error.message);
    throw error;
  }

  const claims = readClaims(payload, options);
  if (typeof claims === 'string') return invalid(claims);
  if (KYC_LEVELS.indexOf(claims.kyc.level) < KYC_LEVELS.indexOf(options.level_min)) {
    return { ok: false, code: 'kyc_level_too_low', detail: `KYC level ${claims.kyc.level} is below the minimum ${options.level_min}` };
  }
  return { ok: true, attestation: claims };
}

/**
 * jwtVerify against the key set; when several registered keys fit the header (a rotation, keys
 * without `kid`), tries each, as jose documents for JWKSMultipleMatchingKeys.
 */
async function verifyWithAnyMatchingKey(
  jws: string,
  keys: ReturnType<typeof createLocalJWKSet>,
  verifyOptions: JWTVerifyOptions,
): Promise<JWTPayload> {
  try {
    return (await jwtVerify(jws, keys, verifyOptions)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const publicKey of error as errors.JWKSMultipleMatchingKeys & AsyncIterable<CryptoKey>) {
      try {
        return (await jwtVerify(jws, publicKey, verifyOptions)).payload;
      } catch (innerError) {
        if (innerError instanceof errors.JWSSignatureVerificationFailed) continue;
        throw innerError;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

/** Checks the claims jose does not know about; returns them cleanly typed, or why they are malformed. */
function readClaims(payload: JWTPayload, options: VerifyKycAttestationOptions): KycAttestationClaims | string {
  const { sub, jti, iat, exp, kyc } = payload;
  if (!isIdentifier(sub)) return '"sub" must be a non-empty string';
  if (!isIdentifier(jti)) return '"jti" must be a non-empty string';
  if (typeof iat !== 'number' || typeof exp !== 'number') return '"iat" and "exp" must be numbers';
  if (exp <= iat) return '"exp" must be after "iat"';
  if (exp - iat > KYC_ATTESTATION_LIFETIME_SECONDS_MAX) {
    return `"exp" must be at most ${KYC_ATTESTATION_LIFETIME_SECONDS_MAX} seconds after "iat"`;
  }
  if (typeof kyc !== 'object' || kyc === null || Array.isArray(kyc)) return '"kyc" must be an object';
  const { level, method, verified_at, name_kana, birth_date, phone } = kyc as Record<string, unknown>;

  if (!KYC_LEVELS.includes(level as KycLevel)) return `"kyc.level" must be one of ${KYC_LEVELS.join(', ')}`;
  if (!isIdentifier(method)) return '"kyc.method" must be a non-empty string';
  if (typeof verified_at !== 'number' || !Number.isInteger(verified_at) || verified_at < 0) {
    return '"kyc.verified_at" must be epoch seconds';
  }
  // jose has already held iat to now + skew, so this also keeps verified_at out of the future.
  if (verified_at > iat) return '"kyc.verified_at" must not be after "iat"';
  if (typeof name_kana !== 'string' || name_kana.length > KYC_NAME_KANA_CHARACTERS_MAX || normalizeKanaName(name_kana) === '') {
    return `"kyc.name_kana" must be a name of at most ${KYC_NAME_KANA_CHARACTERS_MAX} characters`;
  }
  if (typeof birth_date !== 'string' || !isPastCalendarDate(birth_date, options.now)) {
    return '"kyc.birth_date" must be a real date, YYYY-MM-DD, not in the future';
  }
  if (typeof phone !== 'string' || phone.length > KYC_PHONE_CHARACTERS_MAX || normalizePhoneNumber(phone) === null) {
    return '"kyc.phone" must be a phone number';
  }

  return {
    iss: options.client_id,
    aud: options.audience,
    sub,
    iat,
    exp,
    jti,
    kyc: { level: level as KycLevel, method, verified_at, name_kana, birth_date, phone },
  };
}

function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= KYC_IDENTIFIER_CHARACTERS_MAX;
}

/** A real calendar date (no 1990-02-30) no later than today in Japan. */
function isPastCalendarDate(value: string, now: Date): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) return false;
  const todayInJapan = new Date(now.getTime() + JAPAN_UTC_OFFSET_MS).toISOString().slice(0, 10);
  return value <= todayInJapan;
}

function invalid(detail: string): KycAttestationResult {
  return { ok: false, code: 'kyc_attestation_invalid', detail };
}
