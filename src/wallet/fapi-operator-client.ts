/**
 * The hardened wallet as an OAuth client of the bank, with openid-client (panva; certified for FAPI 2.0):
 * private_key_jwt with the wallet's own key, pushed authorization requests with PKCE S256, DPoP-bound tokens.
 * Discovery happens on first use, not at start, so the wallet starts even while the bank is down.
 */
import * as client from 'openid-client';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { BANK_REQUEST_TIMEOUT_MS } from './bank-client.ts';
import type { WalletSigningKey } from './wallet-signing-key.ts';

/** Where the bank mounts its authorization server; the issuer is the bank's origin plus this. */
export const BANK_ISSUER_PATH = '/oidc';
/** What a link asks for: charges on one account, and a refresh token so the user is not sent back every 10 minutes. */
export const LINK_SCOPE = 'openid offline_access charges';
/** ES256 DPoP keys: one per link, never shared between links or users. */
export const DPOP_ALG = 'ES256';

/** A DPoP key pair in both forms: CryptoKeys for openid-client, JWKs for the wallet's database. */
export interface DpopKeys {
  pair: client.CryptoKeyPair;
  private_jwk: JWK;
  public_jwk: JWK;
}

/** A fresh DPoP key pair for one link. */
export async function newDpopKeys(): Promise<DpopKeys> {
  const { privateKey, publicKey } = await generateKeyPair(DPOP_ALG, { extractable: true });
  return { pair: { privateKey, publicKey }, private_jwk: await exportJWK(privateKey), public_jwk: await exportJWK(publicKey) };
}

/** A stored DPoP key pair, back as CryptoKeys. */
export async function importDpopKeys(private_jwk: JWK, public_jwk: JWK): Promise<DpopKeys> {
  const privateKey = (await importJWK(private_jwk, DPOP_ALG)) as CryptoKey;
  const publicKey = (await importJWK(public_jwk, DPOP_ALG)) as CryptoKey;
  return { pair: { privateKey, publicKey }, private_jwk, public_jwk };
}

/** Where the bank is and who the wallet is to it. */
export interface FapiOperatorClientOptions {
  /** The bank's origin, e.g. http://127.0.0.1:3000: the issuer is this plus /oidc, the API this plus /v1. */
  bank_url: string;
  client_id: string;
  /** The wallet's /link/callback as the bank registered it. */
  redirect_uri: string;
  signing_key: WalletSigningKey;
}

/** The wallet's OAuth client of one bank. */
export function createFapiOperatorClient(options: FapiOperatorClientOptions) {
  const bank_url = options.bank_url.replace(/\/$/, '');
  const issuer = `${bank_url}${BANK_ISSUER_PATH}`;
  let discovered: Promise<client.Configuration> | undefined;

  async function discover(): Promise<client.Configuration> {
    const { signing_key } = options;
    const config = await client.discovery(
      new URL(issuer),
      options.client_id,
      { redirect_uris: [options.redirect_uri], token_endpoint_auth_method: 'private_key_jwt' },
      client.PrivateKeyJwt({ key: signing_key.privateKey, kid: signing_key.kid }),
      {
        // Plain http only for the loopback demo and tests; an https bank keeps openid-client's refusal.
        execute: issuer.startsWith('http:') ? [client.allowInsecureRequests] : [],
        timeout: BANK_REQUEST_TIMEOUT_MS / 1000,
      },
    );
    config.timeout = BANK_REQUEST_TIMEOUT_MS / 1000;
    return config;
  }

  return {
    client_id: options.client_id,
    issuer,
    redirect_uri: options.redirect_uri,
    /** The charge endpoint, for DPoP proofs (htu) and requests. */
    charges_url: new URL(`${bank_url}/v1/charges`),
    signing_key: options.signing_key,

    /** The discovered configuration; a failed discovery is tried again on the next call. */
    configuration(): Promise<client.Configuration> {
      discovered ??= discover().catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
      return discovered;
    },

    /** A DPoP handle for one link's key pair. */
    dpop(config: client.Configuration, keys: DpopKeys): client.DPoPHandle {
      return client.getDPoPHandle(config, keys.pair);
    },
  };
}

/** The wallet's OAuth client of one bank, as createFapiOperatorClient builds it. */
export type FapiOperatorClient = ReturnType<typeof createFapiOperatorClient>;
