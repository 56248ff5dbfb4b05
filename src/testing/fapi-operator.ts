import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import * as client from 'openid-client';
import type { OperatorRegistry } from '../operators/operator-registry.ts';
import type { KycLevel } from '../operators/operator.ts';
import { signKycAttestation, type KycClaims } from '../kyc/kyc-attestation.ts';

export interface FapiOperatorOptions {
  bank_url: string;
  operators: OperatorRegistry;
  display_name?: string;
  passbook_label?: string;
  kyc_level_min?: KycLevel;
  redirect_uri?: string;
  /** The time attestations are stamped with: the bank's clock in tests that move it. */
  now?: () => Date;
}

/**
 * An operator registered for FAPI 2.0, driving the bank with openid-client (panva, FAPI 2.0 certified):
 * private_key_jwt with its own key, PAR with PKCE S256, and a DPoP key bound to its tokens.
 */
export async function createFapiOperator(options: FapiOperatorOptions) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const redirect_uri = options.redirect_uri ?? 'https://wallet.example/callback';
  const { operator } = await options.operators.register({
    display_name: options.display_name ?? 'セキュア・ペイ',
    passbook_label: options.passbook_label ?? 'セキュアペイ',
    link_methods_allowed: ['fapi2'],
    kyc_level_min: options.kyc_level_min ?? 'ekyc_document_face',
    jwks: { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig' }] },
    redirect_uris: [redirect_uri],
  });
  const issuer = new URL(`${options.bank_url}/oidc`);
  const config = await client.discovery(issuer, operator.client_id, { redirect_uris: [redirect_uri] }, client.PrivateKeyJwt(privateKey), {
    execute: [client.allowInsecureRequests],
  });
  const dpopKeys = await client.randomDPoPKeyPair('ES256');
  const dpop = client.getDPoPHandle(config, dpopKeys);

  return {
    operator,
    config,
    dpop,
    dpopKeys,
    privateKey: privateKey as CryptoKey,
    redirect_uri,

    /** Signs a KYC attestation about this operator's user (`sub`, a fresh one unless given), as a wallet does after eKYC. */
    attest(kyc: Partial<KycClaims> & Pick<KycClaims, 'name_kana' | 'birth_date' | 'phone'>, key: CryptoKey = privateKey as CryptoKey, sub = `wallet-user-${randomUUID()}`) {
      const now = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
      return signKycAttestation(
        {
          iss: operator.client_id, aud: issuer.href, sub, iat: now, exp: now + 300, jti: randomUUID(),
          kyc: { level: 'ekyc_document_face', method: 'ekyc_document_face:simulator', verified_at: now - 60, ...kyc },
        },
        key,
        'ES256',
      );
    },

    /** Pushes the authorization request (PAR) and returns the URL to send the customer's browser to. */
    async startLink(kyc_attestation: string, extra: Record<string, string> = {}) {
      const code_verifier = client.randomPKCECodeVerifier();
      const url = await client.buildAuthorizationUrlWithPAR(
        config,
        {
          redirect_uri, scope: 'openid offline_access charges', code_challenge: await client.calculatePKCECodeChallenge(code_verifier),
          code_challenge_method: 'S256', kyc_attestation, ...extra,
        },
        { DPoP: dpop },
      );
      return { url, code_verifier };
    },

    /** Exchanges the code the bank sent back for DPoP-bound tokens. */
    exchange(callback: URL, code_verifier: string) {
      return client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: code_verifier }, undefined, { DPoP: dpop });
    },

    /** Charges with the link-scoped token and a fresh DPoP proof. */
    charge(access_token: string, body: Record<string, unknown>, idempotency_key = randomUUID()) {
      return client.fetchProtectedResource(
        config, access_token, new URL(`${options.bank_url}/v1/charges`), 'POST', JSON.stringify(body),
        new Headers({ 'content-type': 'application/json', 'idempotency-key': idempotency_key }), { DPoP: dpop },
      );
    },
  };
}

export type FapiOperator = Awaited<ReturnType<typeof createFapiOperator>>;
