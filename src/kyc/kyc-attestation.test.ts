import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, base64url, exportJWK, generateKeyPair, generateSecret, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { KYC_LEVELS, type KycLevel } from '../operators/operator.ts';
import {
  KYC_ATTESTATION_CHARACTERS_MAX,
  KYC_ATTESTATION_CLOCK_SKEW_SECONDS_MAX,
  KYC_ATTESTATION_LIFETIME_SECONDS_MAX,
  KYC_ATTESTATION_TYPE,
  signKycAttestation,
  verifyKycAttestation,
  type KycAttestationAlgorithm,
  type KycAttestationClaims,
  type KycAttestationResult,
  type VerifyKycAttestationOptions,
} from './kyc-attestation.ts';

const BANK_ISSUER = 'https://bank.furikae.example';
const OPERATOR_CLIENT_ID = 'wallet-hardened';
const OTHER_OPERATOR_CLIENT_ID = 'wallet-other';
const NOW = new Date('2026-11-21T00:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;
/** A typical lifetime: five minutes. */
const LIFETIME_SECONDS = 5 * 60;

interface OperatorKeys {
  privateKey: CryptoKey;
  publicJwk: JWK;
  jwks: JSONWebKeySet;
}

async function operatorKeys(alg: KycAttestationAlgorithm, kid: string): Promise<OperatorKeys> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { privateKey, publicJwk, jwks: { keys: [publicJwk] } };
}

let operator: OperatorKeys;
let otherOperator: OperatorKeys;
let strangerKey: CryptoKey;

before(async () => {
  operator = await operatorKeys('ES256', 'operator-1');
  otherOperator = await operatorKeys('ES256', 'other-1');
  strangerKey = (await generateKeyPair('ES256')).privateKey;
});

function claims(overrides: Partial<KycAttestationClaims> = {}, kyc: Partial<KycAttestationClaims['kyc']> = {}): KycAttestationClaims {
  return {
    iss: OPERATOR_CLIENT_ID,
    aud: BANK_ISSUER,
    sub: 'wallet-user-0192',
    iat: NOW_SECONDS,
    exp: NOW_SECONDS + LIFETIME_SECONDS,
    jti: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    ...overrides,
    kyc: {
      level: 'ekyc_document_face',
      method: 'ekyc_document_face:simulator',
      verified_at: NOW_SECONDS - 3600,
      name_kana: 'ヤマダ ハナコ',
      birth_date: '1948-03-15',
      phone: '090-1111-2222',
      ...kyc,
    },
  };
}

function options(overrides: Partial<VerifyKycAttestationOptions> = {}): VerifyKycAttestationOptions {
  return { jwks: operator.jwks, client_id: OPERATOR_CLIENT_ID, audience: BANK_ISSUER, now: NOW, level_min: 'phone_verified', ...overrides };
}

function sign(payload: KycAttestationClaims = claims(), key: CryptoKey = operator.privateKey): Promise<string> {
  return signKycAttestation(payload, key, 'ES256', { kid: 'operator-1' });
}

/** Signs an arbitrary payload, for claims the typed helper would not let through. */
function signRaw(payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'ES256', typ: KYC_ATTESTATION_TYPE, kid: 'operator-1' }): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(operator.privateKey);
}

function assertFailure(result: KycAttestationResult, code: string): void {
  assert.equal(result.ok, false, 'the attestation was accepted');
  if (!result.ok) assert.equal(result.code, code, result.detail);
}

function encodeSegment(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

function decodeSegment(segment: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(base64url.decode(segment))) as Record<string, unknown>;
}

test('a valid attestation verifies and yields exactly its claims', async () => {
  const result = await verifyKycAttestation(await sign(), options());
  assert.deepEqual(result, { ok: true, attestation: claims() });
});

for (const alg of ['PS256', 'ES256', 'EdDSA'] as const) {
  test(`an attestation signed with ${alg} verifies against the operator's registered key`, async () => {
    const keys = await operatorKeys(alg, `${alg}-key`);
    const jws = await signKycAttestation(claims(), keys.privateKey, alg, { kid: `${alg}-key` });
    assert.equal((await verifyKycAttestation(jws, options({ jwks: keys.jwks }))).ok, true);
  });
}

test('claims the bank does not know about are dropped from the result', async () => {
  const payload = { ...claims(), extra: 'x', kyc: { ...claims().kyc, address: '東京都' } };
  const result = await verifyKycAttestation(await signRaw(payload), options());
  assert.ok(result.ok);
  assert.deepEqual(result.attestation, claims());
});

test('an attestation signed with a key the operator never registered is invalid', async () => {
  assertFailure(await verifyKycAttestation(await sign(claims(), strangerKey), options()), 'kyc_attestation_invalid');
});

test("an attestation signed with another operator's key in this operator's name is invalid", async () => {
  const jws = await signKycAttestation(claims(), otherOperator.privateKey, 'ES256', { kid: 'operator-1' });
  assertFailure(await verifyKycAttestation(jws, options()), 'kyc_attestation_invalid');
});

test("another operator's own valid attestation is invalid when presented by this operator", async () => {
  const jws = await signKycAttestation(claims({ iss: OTHER_OPERATOR_CLIENT_ID }), otherOperator.privateKey, 'ES256', { kid: 'other-1' });
  assert.equal((await verifyKycAttestation(jws, options({ jwks: otherOperator.jwks, client_id: OTHER_OPERATOR_CLIENT_ID }))).ok, true);
  assertFailure(await verifyKycAttestation(jws, options()), 'kyc_attestation_invalid');
});

test('an attestation whose payload was altered after signing is invalid', async () => {
  const [header, payload, signature] = (await sign()).split('.') as [string, string, string];
  const altered = decodeSegment(payload);
  (altered.kyc as Record<string, unknown>).name_kana = 'サトウ イチロウ';
  assertFailure(await verifyKycAttestation(`${header}.${encodeSegment(altered)}.${signature}`, options()), 'kyc_attestation_invalid');
});

test('an attestation whose level was raised after signing is invalid, not too low', async () => {
  const [header, payload, signature] = (await sign(claims({}, { level: 'email' }))).split('.') as [string, string, string];
  const altered = decodeSegment(payload);
  (altered.kyc as Record<string, unknown>).level = 'ekyc_document_face';
  assertFailure(await verifyKycAttestation(`${header}.${encodeSegment(altered)}.${signature}`, options()), 'kyc_attestation_invalid');
});

test('an attestation for another audience is invalid', async () => {
  assertFailure(await verifyKycAttestation(await sign(claims({ aud: 'https://other-bank.example' })), options()), 'kyc_attestation_invalid');
});

test('an attestation naming another issuer is invalid', async () => {
  assertFailure(await verifyKycAttestation(await sign(claims({ iss: OTHER_OPERATOR_CLIENT_ID })), options()), 'kyc_attestation_invalid');
});

test('an attestation with another typ, or none, is invalid', async () => {
  for (const typ of ['JWT', 'dpop+jwt', undefined]) {
    const header = { alg: 'ES256', kid: 'operator-1', ...(typ === undefined ? {} : { typ }) };
    assertFailure(await verifyKycAttestation(await signRaw({ ...claims() }, header), options()), 'kyc_attestation_invalid');
  }
});

test('an unsigned attestation (alg none) is invalid', async () => {
  const jws = `${encodeSegment({ alg: 'none', typ: KYC_ATTESTATION_TYPE })}.${encodeSegment(claims())}.`;
  assertFailure(await verifyKycAttestation(jws, options()), 'kyc_attestation_invalid');
});

test('an attestation MACed with HS256 is invalid, even with the public key as the secret', async () => {
  const secrets = [await generateSecret('HS256'), new TextEncoder().encode(JSON.stringify(operator.publicJwk))];
  for (const secret of secrets) {
    const jws = await new SignJWT({ ...claims() }).setProtectedHeader({ alg: 'HS256', typ: KYC_ATTESTATION_TYPE, kid: 'operator-1' }).sign(secret);
    assertFailure(await verifyKycAttestation(jws, options()), 'kyc_attestation_invalid');
  }
});

test('an attestation signed with RS256, which FAPI 2.0 does not allow, is invalid', async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'rsa' }] };
  const jws = await new SignJWT({ ...claims() }).setProtectedHeader({ alg: 'RS256', typ: KYC_ATTESTATION_TYPE, kid: 'rsa' }).sign(privateKey);
  assertFailure(await verifyKycAttestation(jws, options({ jwks })), 'kyc_attestation_invalid');
});

test('what is not a compact JWS is invalid and nothing throws', async () => {
  const valid = await sign();
  for (const jws of ['', 'not-a-jws', 'a.b.c', `${valid}.extra`, valid.split('.').slice(0, 2).join('.'), 'x'.repeat(KYC_ATTESTATION_CHARACTERS_MAX + 1)]) {
    assertFailure(await verifyKycAttestation(jws, options()), 'kyc_attestation_invalid');
  }
});

test('an attestation after its exp plus the allowed clock skew has expired', async () => {
  const jws = await sign();
  const exp = NOW_SECONDS + LIFETIME_SECONDS;
  const justBefore = new Date((exp + KYC_ATTESTATION_CLOCK_SKEW_SECONDS_MAX - 1) * 1000);
  const expired = new Date((exp + KYC_ATTESTATION_CLOCK_SKEW_SECONDS_MAX) * 1000);
  assert.equal((await verifyKycAttestation(jws, options({ now: justBefore }))).ok, true);
  assertFailure(await verifyKycAttestation(jws, options({ now: expired })), 'kyc_attestation_expired');
  assertFailure(await verifyKycAttestation(jws, options({ now: new Date(NOW.getTime() + 86_400_000) })), 'kyc_attestation_expired');
});

test('an attestation living exactly 10 minutes verifies and one second more is invalid', async () => {
  const longest = await sign(claims({ exp: NOW_SECONDS + KYC_ATTESTATION_LIFETIME_SECONDS_MAX }));
  const tooLong = await sign(claims({ exp: NOW_SECONDS + KYC_ATTESTATION_LIFETIME_SECONDS_MAX + 1 }));
  assert.equal((await verifyKycAttestation(longest, options())).ok, true);
  assertFailure(await verifyKycAttestation(tooLong, options()), 'kyc_attestation_invalid');
});

test('an attestation whose exp is not after its iat is invalid', async () => {
  const result = await verifyKycAttestation(await sign(claims({ iat: NOW_SECONDS, exp: NOW_SECONDS })), options());
  assertFailure(result, 'kyc_attestation_invalid');
  assert.ok(!result.ok && result.detail.includes('"exp" must be after "iat"'), 'refused for its lifetime, not for its clock');
});

test('an attestation issued in the future beyond the clock skew is invalid', async () => {
  const iat = NOW_SECONDS + KYC_ATTESTATION_CLOCK_SKEW_SECONDS_MAX + 1;
  assertFailure(await verifyKycAttestation(await sign(claims({ iat, exp: iat + LIFETIME_SECONDS })), options()), 'kyc_attestation_invalid');
  const withinSkew = NOW_SECONDS + KYC_ATTESTATION_CLOCK_SKEW_SECONDS_MAX;
  assert.equal((await verifyKycAttestation(await sign(claims({ iat: withinSkew, exp: withinSkew + LIFETIME_SECONDS })), options())).ok, true);
});

test('a verification time after the attestation was issued is invalid', async () => {
  assertFailure(await verifyKycAttestation(await sign(claims({}, { verified_at: NOW_SECONDS + 1 })), options()), 'kyc_attestation_invalid');
  assert.equal((await verifyKycAttestation(await sign(claims({}, { verified_at: NOW_SECONDS })), options())).ok, true);
});

for (const claim of ['iss', 'aud', 'sub', 'iat', 'exp', 'jti', 'kyc'] as const) {
  test(`an attestation without "${claim}" is invalid`, async () => {
    const payload: Record<string, unknown> = { ...claims() };
    delete payload[claim];
    assertFailure(await verifyKycAttestation(await signRaw(payload), options()), 'kyc_attestation_invalid');
  });
}

for (const field of ['level', 'method', 'verified_at', 'name_kana', 'birth_date', 'phone'] as const) {
  test(`an attestation without "kyc.${field}" is invalid`, async () => {
    const kyc: Record<string, unknown> = { ...claims().kyc };
    delete kyc[field];
    assertFailure(await verifyKycAttestation(await signRaw({ ...claims(), kyc }), options()), 'kyc_attestation_invalid');
  });
}

const malformedKyc: Array<[string, Record<string, unknown>]> = [
  ['an unknown level', { level: 'passport' }],
  ['an empty method', { method: '' }],
  ['a verification time in milliseconds as a string', { verified_at: String(NOW_SECONDS * 1000) }],
  ['a fractional verification time', { verified_at: NOW_SECONDS - 0.5 }],
  ['a name of only spaces', { name_kana: '　' }],
  ['a name too long to be one', { name_kana: 'ア'.repeat(101) }],
  ['an impossible date of birth', { birth_date: '1948-02-30' }],
  ['a date of birth in another format', { birth_date: '1948/03/15' }],
  ['a date of birth in the future', { birth_date: '2026-11-22' }],
  ['a phone that is not a phone number', { phone: 'call me' }],
  ['a phone given as a number', { phone: 9011112222 }],
];
for (const [name, kyc] of malformedKyc) {
  test(`an attestation with ${name} is invalid`, async () => {
    assertFailure(await verifyKycAttestation(await signRaw({ ...claims(), kyc: { ...claims().kyc, ...kyc } }), options()), 'kyc_attestation_invalid');
  });
}

test('a "kyc" claim that is not an object is invalid', async () => {
  for (const kyc of ['ekyc_document_face', null, [claims().kyc]]) {
    assertFailure(await verifyKycAttestation(await signRaw({ ...claims(), kyc }), options()), 'kyc_attestation_invalid');
  }
});

test('a date of birth of today in Japan is accepted', async () => {
  // 2026-11-21T00:00Z is 09:00 on the 21st in Japan.
  assert.equal((await verifyKycAttestation(await sign(claims({}, { birth_date: '2026-11-21' })), options())).ok, true);
});

test('a level below the minimum is kyc_level_too_low and the minimum itself passes', async () => {
  assertFailure(await verifyKycAttestation(await sign(claims({}, { level: 'email' })), options({ level_min: 'phone_verified' })), 'kyc_level_too_low');
  assert.equal((await verifyKycAttestation(await sign(claims({}, { level: 'phone_verified' })), options({ level_min: 'phone_verified' }))).ok, true);
});

test('every level passes every minimum at or below it and no minimum above it', async () => {
  for (const level of KYC_LEVELS) {
    const jws = await sign(claims({}, { level }));
    for (const level_min of KYC_LEVELS) {
      const result = await verifyKycAttestation(jws, options({ level_min }));
      const passes = KYC_LEVELS.indexOf(level) >= KYC_LEVELS.indexOf(level_min as KycLevel);
      if (passes) assert.equal(result.ok, true, `${level} against ${level_min}`);
      else assertFailure(result, 'kyc_level_too_low');
    }
  }
});

test('a forged attestation below the minimum is invalid, not too low', async () => {
  assertFailure(await verifyKycAttestation(await sign(claims({}, { level: 'none' }), strangerKey), options()), 'kyc_attestation_invalid');
});

test('an expired attestation below the minimum is expired, not too low', async () => {
  const jws = await sign(claims({}, { level: 'none' }));
  assertFailure(await verifyKycAttestation(jws, options({ now: new Date(NOW.getTime() + 3_600_000) })), 'kyc_attestation_expired');
});

test('during a key rotation an attestation verifies against either registered key, even without a kid', async () => {
  const next = await operatorKeys('ES256', 'operator-2');
  const strip = ({ kid: _kid, ...jwk }: JWK): JWK => jwk;
  const jwks = { keys: [strip(operator.publicJwk), strip(next.publicJwk)] };
  for (const privateKey of [operator.privateKey, next.privateKey]) {
    const jws = await signKycAttestation(claims(), privateKey, 'ES256');
    assert.equal((await verifyKycAttestation(jws, options({ jwks }))).ok, true);
  }
  assertFailure(await verifyKycAttestation(await signKycAttestation(claims(), strangerKey, 'ES256'), options({ jwks })), 'kyc_attestation_invalid');
});

test('a kid the operator never registered is invalid', async () => {
  const jws = await signKycAttestation(claims(), operator.privateKey, 'ES256', { kid: 'unknown' });
  assertFailure(await verifyKycAttestation(jws, options()), 'kyc_attestation_invalid');
});

test('a signed attestation carries the kyc-attestation+jwt type and the chosen algorithm', async () => {
  const header = decodeSegment((await sign()).split('.')[0]!);
  assert.deepEqual(header, { alg: 'ES256', typ: KYC_ATTESTATION_TYPE, kid: 'operator-1' });
});
