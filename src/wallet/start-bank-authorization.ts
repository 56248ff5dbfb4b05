/**
 * "Link bank account", hardened: the wallet signs a KYC attestation from the user's eKYC, pushes an
 * authorization request to the bank (PAR, PKCE S256, private_key_jwt, DPoP key thumbprint) and sends the
 * browser to the bank. There the customer logs in with two factors and consents; the wallet never sees
 * their bank credentials. What the callback needs (PKCE verifier, DPoP key) waits here, found by the state.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import { signKycAttestation } from '../kyc/kyc-attestation.ts';
import { fapiFailure } from './fapi-failure.ts';
import { LINK_SCOPE, newDpopKeys, type FapiOperatorClient } from './fapi-operator-client.ts';
import type { WalletContext } from './wallet-context.ts';
import { findActiveBankLink } from './wallet-bank-links.ts';
import { findWalletIdentity } from './wallet-identity.ts';
import { walletFailure, type WalletOutcome } from './wallet-outcome.ts';
import type { WalletUser } from './wallet-users.ts';
import type { WalletEndUser } from './wallet-devices.ts';

/** How long the wallet waits for the customer to come back from the bank: the bank's own interaction lasts 10 minutes. */
export const LINK_AUTHORIZATION_TTL_MS = 10 * 60 * 1000;
/** An attestation lives 5 minutes: long enough to reach the bank's consent page, well under the bank's 10-minute cap. */
export const KYC_ATTESTATION_TTL_SECONDS = 5 * 60;

/** The state's hash: the table recognises a state without holding one that could be replayed. */
export function stateHash(state: string): string {
  return createHash('sha256').update(state).digest('base64url');
}

/**
 * Starts a FAPI 2.0 link for a user with a passed eKYC; returns the bank URL to send their browser to. The device id
 * goes with the pushed request (`device_id`) so the bank's link risk sees it; the bank sees the browser's address itself.
 * With `renew`, it renews the consent of the user's own FAPI link instead (`link_id` in the pushed request): the
 * customer approves at the bank, and the same link charges on with new tokens (finishBankAuthorization).
 */
export async function startBankAuthorization(
  context: WalletContext,
  fapi: FapiOperatorClient,
  user: WalletUser,
  end_user?: WalletEndUser,
  { renew = false }: { renew?: boolean } = {},
): Promise<WalletOutcome<{ authorization_url: URL }>> {
  const { db, clock, log } = context;
  const identity = await findWalletIdentity(db, user.id);
  if (!identity.phone_verified_at || !identity.ekyc) {
    return walletFailure('wallet_ekyc_required', '先に本人確認（電話番号とeKYC）を済ませてください / Verify your phone and identity (eKYC) first');
  }
  const existing = await findActiveBankLink(db, user.id);
  if (renew && existing?.method !== 'fapi2') return walletFailure('wallet_no_bank_link', '更新する銀行口座連携がありません / There is no bank link to renew');
  if (!renew && existing) return walletFailure('wallet_bank_link_exists', 'すでに銀行口座と連携しています / This wallet already has a bank link');

  const now = clock.now();
  const iat = Math.floor(now.getTime() / 1000);
  const { ekyc } = identity;
  const attestation = await signKycAttestation(
    {
      iss: fapi.client_id, aud: fapi.issuer, sub: user.id, iat, exp: iat + KYC_ATTESTATION_TTL_SECONDS, jti: randomUUID(),
      kyc: {
        level: ekyc.level, method: ekyc.method, verified_at: Math.min(iat, Math.floor(ekyc.checked_at.getTime() / 1000)),
        name_kana: ekyc.name_kana, birth_date: ekyc.birth_date, phone: ekyc.phone,
      },
    },
    fapi.signing_key.privateKey,
    fapi.signing_key.alg,
    { kid: fapi.signing_key.kid },
  );
  const dpop_keys = await newDpopKeys();
  const code_verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  let authorization_url: URL;
  try {
    const config = await fapi.configuration();
    authorization_url = await client.buildAuthorizationUrlWithPAR(
      config,
      {
        redirect_uri: fapi.redirect_uri, scope: LINK_SCOPE, state, kyc_attestation: attestation,
        code_challenge: await client.calculatePKCECodeChallenge(code_verifier), code_challenge_method: 'S256',
        ...(end_user ? { device_id: end_user.device_id } : {}),
        ...(renew && existing ? { link_id: existing.id } : {}),
      },
      { DPoP: fapi.dpop(config, dpop_keys) },
    );
  } catch (error) {
    const failure = fapiFailure(error);
    log.warn({ wallet_user_id: user.id, code: failure.code, bank_code: failure.bank_code, reason: (error as Error)?.message }, 'pushed authorization request refused');
    return failure;
  }
  // Sweep what nobody came back for, so the table holds only authorizations in flight.
  await db.query(`DELETE FROM wallet_link_authorizations WHERE expires_at <= $1`, [now]);
  await db.query(
    `INSERT INTO wallet_link_authorizations (state_hash, user_id, code_verifier, dpop_private_jwk, dpop_public_jwk, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [stateHash(state), user.id, code_verifier, JSON.stringify(dpop_keys.private_jwk), JSON.stringify(dpop_keys.public_jwk), now,
      new Date(now.getTime() + LINK_AUTHORIZATION_TTL_MS)],
  );
  log.info({ wallet_user_id: user.id, renew }, 'bank authorization started');
  return { ok: true, value: { authorization_url } };
}
