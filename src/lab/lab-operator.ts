import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import * as client from 'openid-client';
import { decodeJwt, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import type { OperatorRegistry } from '../operators/operator-registry.ts';
import type { KycLevel, LinkMethod, Operator } from '../operators/operator.ts';
import type { Clock } from '../shared/clock.ts';
import { signKycAttestation, type KycClaims } from '../kyc/kyc-attestation.ts';
import { createInjectFetch, type FetchFunction } from './inject-fetch.ts';

/** What the link asks for: charges on one account, and a refresh token so the user is not sent back every 10 minutes. */
const LINK_SCOPE = 'openid offline_access charges';
/** How long a KYC attestation the lab's operators sign lives: a user reaches the bank's consent page within minutes. */
const ATTESTATION_LIFETIME_SECONDS = 300;
/**
 * Refresh an access token this long before it expires. Tokens carry real time (the authorization server's own
 * clock), while the run's clock is simulated, so this is measured in real milliseconds.
 */
const TOKEN_REFRESH_MARGIN_MS = 60_000;

/** An operator as a scenario names it. */
export interface LabOperatorSpec {
  key: string;
  display_name: string;
  passbook_label: string;
  charge_yen_max?: number | undefined;
  charges_yen_per_month_max?: number | undefined;
  /** True: the operator relays each user's address (PSU-IP-Address); otherwise the bank sees only its server's. */
  relays_end_user_address?: boolean | undefined;
}

/**
 * The address a lab user reaches its operator from: one per device id, in 198.18.0.0/15 (RFC 2544's benchmarking
 * range, never a real user's), so each phone in a farm is its own address as it is when each sits on its own SIM.
 */
export function labEndUserAddress(device_id: string): string {
  const hash = createHash('sha256').update(device_id).digest();
  return `198.${18 + (hash[0]! & 1)}.${hash[1]!}.${hash[2]!}`;
}

/** How a configuration lets operators link: the policy the bank registers them with. */
export interface LabOperatorPolicy {
  link_methods: LinkMethod[];
  kyc_level_min: KycLevel;
  /** True: the operator registers its server's address, so the bank takes its credentials from there only. */
  registers_server_address?: boolean;
}

/** A link an operator holds for one of its users: the bank's link id and the credential that charges it. */
export interface HeldLink {
  link_id: string;
  operator_key: string;
  method: LinkMethod;
  credential:
    | { kind: 'link_token'; token: string }
    | { kind: 'access_token'; access_token: string; refresh_token: string | undefined; expires_at_real_ms: number; dpop: client.DPoPHandle };
}

/** The bank's answer to a charge, as the operator sees it. */
export type ChargeAnswer =
  | { kind: 'answered'; http_status: number; charge_id: string; status: string }
  | { kind: 'refused'; http_status: number; code: string };

/** A link attempt's end: made, or refused with the bank's code (or the operator's own, for its eKYC). */
export type LinkAnswer = { ok: true; link: HeldLink } | { ok: false; code: string };

/** A pushed authorization request in flight: where to send the user's browser, and what finishes it. */
export interface PendingConsent {
  url: URL;
  code_verifier: string;
  dpop: client.DPoPHandle;
  state: string;
}

/** Details a user types into a wallet's 2020 link form. */
export interface LegacyLinkDetails {
  branch_code: string;
  account_number: string;
  pin: string;
  name_kana: string;
  birth_date: string;
}

/**
 * An operator's server in the lab: registered at the bank with the configuration's policy, calling the bank as a
 * payment app does (Basic credentials on the 2020 path; FAPI 2.0 with openid-client: PAR, PKCE, private_key_jwt,
 * DPoP). Wallet sign-up and eKYC happen at the operator, not the bank, so the lab models their outcome as the
 * attestation the operator signs. Every call goes through the bank's HTTP pipeline from the operator's own address.
 */
export interface LabOperator {
  key: string;
  operator: Operator;
  policy: LabOperatorPolicy;
  /** The operator's server address, as the bank sees it on the operator API. */
  server_ip: string;
  redirect_uri: string;
  legacyLink(details: LegacyLinkDetails, device_id: string): Promise<LinkAnswer>;
  /** Signs what the operator's eKYC verified about its user. */
  attest(kyc: Pick<KycClaims, 'name_kana' | 'birth_date' | 'phone'>): Promise<string>;
  /** Pushes an authorization request; the user's browser goes to the returned URL. */
  startConsent(attestation: string): Promise<PendingConsent>;
  /** Takes the bank's redirect back to the operator: exchanges the code for tokens, or reads the refusal. */
  finishConsent(callback: URL, pending: PendingConsent): Promise<LinkAnswer>;
  charge(link: HeldLink, request: { amount_yen: number; device_id: string; idempotency_key: string }): Promise<ChargeAnswer>;
  /** The operator's client key and its users' link credentials used from another address: a leaked operator database. */
  from(ip: string): Pick<LabOperator, 'charge'>;
  /** The charge as the bank says it is now (for the final tally): status and what was refunded. */
  readCharge(charge_id: string): Promise<{ status: string; amount_yen: number; refunded_yen: number }>;
}

/** The problem code of a refused answer; a body that is not problem+json is itself a finding. */
function problemCode(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { code?: unknown };
    if (typeof parsed.code === 'string') return parsed.code;
  } catch {
    // fall through
  }
  return `http_${status}`;
}

/** The code in an authorization error redirect: interaction-routes writes "code: description" into error_description. */
function refusalCode(callback: URL): string {
  const description = callback.searchParams.get('error_description') ?? '';
  return /^([a-z_]+):/.exec(description)?.[1] ?? callback.searchParams.get('error') ?? 'authorization_failed';
}

/** Registers one scenario operator at the bank under `policy` and returns its server. */
export async function createLabOperator(
  { app, operators, bank_url, clock, onWaiting }: {
    app: FastifyInstance; operators: OperatorRegistry; bank_url: string; clock: Clock;
    /** Told when a charge waits for approval or review, and until when: the run expires waiting charges only when one is due. */
    onWaiting?: (expires_at: Date) => void;
  },
  spec: LabOperatorSpec,
  policy: LabOperatorPolicy,
  server_ip: string,
): Promise<LabOperator> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const redirect_uri = `https://${spec.key}.operator.lab/link/callback`;
  const { operator, client_secret } = await operators.register({
    display_name: spec.display_name,
    passbook_label: spec.passbook_label,
    link_methods_allowed: policy.link_methods,
    kyc_level_min: policy.kyc_level_min,
    ...(spec.charge_yen_max === undefined ? {} : { charge_yen_max: spec.charge_yen_max }),
    ...(spec.charges_yen_per_month_max === undefined ? {} : { charges_yen_per_month_max: spec.charges_yen_per_month_max }),
    jwks: { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig' }] },
    redirect_uris: [redirect_uri],
    ...(policy.registers_server_address ? { source_addresses: [server_ip] } : {}),
  });
  const basic = `Basic ${Buffer.from(`${operator.client_id}:${client_secret}`).toString('base64')}`;
  const endUser = (device_id: string): Record<string, string> =>
    (spec.relays_end_user_address ? { 'x-device-id': device_id, 'psu-ip-address': labEndUserAddress(device_id) } : { 'x-device-id': device_id });
  const issuer = new URL(`${bank_url}/oidc`);

  /** The operator's calls to the bank from `ip`: its own server's, or a thief's with its keys. */
  const callerAt = (ip: string) => {
    const fetch: FetchFunction = createInjectFetch(app, { remoteAddress: ip });
    let config: client.Configuration | undefined;
    const configuration = async () => {
      config ??= await client.discovery(issuer, operator.client_id, { redirect_uris: [redirect_uri] }, client.PrivateKeyJwt(privateKey as CryptoKey), {
        execute: [client.allowInsecureRequests],
        [client.customFetch]: fetch as never,
      });
      return config;
    };
    const api = async (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
      fetch(`${bank_url}${path}`, {
        method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const fresh = async (link: HeldLink) => {
      const credential = link.credential;
      if (credential.kind !== 'access_token' || credential.expires_at_real_ms - Date.now() > TOKEN_REFRESH_MARGIN_MS || !credential.refresh_token) return;
      const tokens = await client.refreshTokenGrant(await configuration(), credential.refresh_token, undefined, { DPoP: credential.dpop });
      credential.access_token = tokens.access_token;
      credential.refresh_token = tokens.refresh_token ?? credential.refresh_token;
      credential.expires_at_real_ms = Date.now() + (tokens.expires_in ?? 0) * 1000;
    };
    const charge: LabOperator['charge'] = async (link, { amount_yen, device_id, idempotency_key }) => {
      let response: Response;
      const headers = { 'idempotency-key': idempotency_key, ...endUser(device_id) };
      if (link.credential.kind === 'link_token') {
        response = await api('POST', '/v1/charges', { ...headers, authorization: `Bearer ${link.credential.token}` }, { amount_yen });
      } else {
        try {
          await fresh(link);
        } catch (error) {
          // The bank refused the refresh grant (an expired consent, a revoked link, a source it does not know).
          if (error instanceof client.ResponseBodyError) return { kind: 'refused', http_status: error.status, code: error.error };
          throw error;
        }
        response = await client.fetchProtectedResource(await configuration(), link.credential.access_token, new URL(`${bank_url}/v1/charges`), 'POST',
          JSON.stringify({ amount_yen }), new Headers({ ...headers, 'content-type': 'application/json' }), { DPoP: link.credential.dpop });
      }
      const text = await response.text();
      if (response.status !== 201 && response.status !== 202) return { kind: 'refused', http_status: response.status, code: problemCode(response.status, text) };
      const body = JSON.parse(text) as { id: string; status: string; approval_expires_at?: string | null };
      if (body.approval_expires_at) onWaiting?.(new Date(body.approval_expires_at));
      return { kind: 'answered', http_status: response.status, charge_id: body.id, status: body.status };
    };
    return { api, configuration, charge };
  };
  const own = callerAt(server_ip);
  const { api, configuration } = own;

  return {
    key: spec.key,
    operator,
    policy,
    server_ip,
    redirect_uri,

    async legacyLink(details, device_id) {
      const response = await api('POST', '/v1/links/legacy', { authorization: basic, ...endUser(device_id) }, details);
      const text = await response.text();
      if (response.status !== 201) return { ok: false, code: problemCode(response.status, text) };
      const body = JSON.parse(text) as { link: { id: string }; link_token: string };
      return { ok: true, link: { link_id: body.link.id, operator_key: spec.key, method: 'legacy_pin', credential: { kind: 'link_token', token: body.link_token } } };
    },

    attest(kyc) {
      const now = Math.floor(clock.now().getTime() / 1000);
      return signKycAttestation({
        iss: operator.client_id, aud: issuer.href, sub: `lab-user-${randomUUID()}`, iat: now, exp: now + ATTESTATION_LIFETIME_SECONDS, jti: randomUUID(),
        kyc: { level: policy.kyc_level_min === 'none' ? 'email' : policy.kyc_level_min, method: 'ekyc_document_face:lab', verified_at: now - 60, ...kyc },
      }, privateKey as CryptoKey, 'ES256');
    },

    async startConsent(attestation) {
      const configured = await configuration();
      const dpop = client.getDPoPHandle(configured, await client.randomDPoPKeyPair('ES256'));
      const code_verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = await client.buildAuthorizationUrlWithPAR(configured, {
        redirect_uri, scope: LINK_SCOPE, code_challenge: await client.calculatePKCECodeChallenge(code_verifier), code_challenge_method: 'S256',
        state, kyc_attestation: attestation,
      }, { DPoP: dpop });
      return { url, code_verifier, dpop, state };
    },

    async finishConsent(callback, pending) {
      if (!callback.searchParams.has('code')) return { ok: false, code: refusalCode(callback) };
      const tokens = await client.authorizationCodeGrant(await configuration(), callback, { pkceCodeVerifier: pending.code_verifier, expectedState: pending.state }, undefined, { DPoP: pending.dpop });
      const link_id = decodeJwt(tokens.access_token).link_id;
      if (typeof link_id !== 'string') throw new Error('the bank issued an access token without its link');
      return {
        ok: true,
        link: {
          link_id, operator_key: spec.key, method: 'fapi2',
          credential: { kind: 'access_token', access_token: tokens.access_token, refresh_token: tokens.refresh_token, expires_at_real_ms: Date.now() + (tokens.expires_in ?? 0) * 1000, dpop: pending.dpop },
        },
      };
    },

    charge: own.charge,

    from: (ip) => ({ charge: callerAt(ip).charge }),

    async readCharge(charge_id) {
      const response = await api('GET', `/v1/charges/${charge_id}`, { authorization: basic });
      if (response.status !== 200) throw new Error(`the bank did not show charge ${charge_id}: ${response.status}`);
      return (await response.json()) as { status: string; amount_yen: number; refunded_yen: number };
    },
  };
}
