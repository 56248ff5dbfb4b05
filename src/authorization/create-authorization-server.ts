import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { DeviceId } from '../http/api-schemas.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import type { Database } from '../storage/database.ts';
import type { OperatorRegistry } from '../operators/operator-registry.ts';
import type { Logger } from '../shared/logger.ts';
import { createSqlOidcAdapter } from './sql-oidc-adapter.ts';
import { loadAuthorizationSecrets } from './authorization-secrets.ts';
import { renderAuthorizationError } from './authorization-error-page.ts';
import { mapProviderErrors } from './provider-error-mapping.ts';

/** Authorization codes live 60 s at most (FAPI 2.0 §5.3.2.1 asks for short-lived, single-use codes). */
export const AUTHORIZATION_CODE_TTL_SECONDS = 60;
/** A pushed request_uri is good for 60 s: the browser goes straight from the operator to the bank. */
export const PUSHED_REQUEST_TTL_SECONDS = 60;
/** Access tokens for charges last 10 minutes; the operator refreshes with its private key. */
export const ACCESS_TOKEN_TTL_SECONDS = 10 * 60;
/** A login/consent interaction must finish within 10 minutes. */
export const INTERACTION_TTL_SECONDS = 10 * 60;
/** A consent lasts 180 days, then the customer must approve again (the PSD2 re-authentication period). */
export const CONSENT_TTL_SECONDS = 180 * 24 * 60 * 60;
/** The scope a link-scoped access token carries: charging the one linked account. */
export const CHARGES_SCOPE = 'charges';
/** The JWS algorithms FAPI 2.0 allows. */
export const FAPI_ALGORITHMS = ['PS256', 'ES256', 'EdDSA'];

export interface AuthorizationServerDeps {
  db: Database;
  operators: OperatorRegistry;
  log: Logger;
  /** The issuer identifier, e.g. http://127.0.0.1:3000/oidc. */
  issuer: string;
  /** The bank API as a resource indicator: the audience of every access token. */
  resource: string;
  /**
   * Seconds a pushed request and a code live, instead of the shipped 60: oidc-provider counts them in real time,
   * and only the attack lab, whose simulated clock does not move while thousands of customers link in one step of a
   * busy machine, stretches them.
   */
  request_ttl_seconds?: number;
}

/**
 * The bank's authorization server: oidc-provider on the FAPI 2.0 Security Profile with pushed authorization
 * requests required, PKCE S256, private_key_jwt client authentication, DPoP-bound access tokens, 60-second
 * single-use codes and `iss` in every authorization response. Each access token carries the link it is for.
 */
export async function createAuthorizationServer({ db, operators, log, issuer, resource, request_ttl_seconds }: AuthorizationServerDeps): Promise<Provider> {
  const secrets = await loadAuthorizationSecrets(db);
  const SqlAdapter = createSqlOidcAdapter(db, async (client_id) => {
    const operator = await operators.clientRegistration(client_id);
    if (!operator || !operator.jwks || !operator.link_methods_allowed.includes('fapi2')) return undefined;
    return {
      client_id,
      client_name: operator.display_name,
      jwks: operator.jwks,
      redirect_uris: operator.redirect_uris,
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: undefined,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      dpop_bound_access_tokens: true,
      scope: `openid offline_access ${CHARGES_SCOPE}`,
      // The code comes back in the redirect's query (with iss, RFC 9207), never in a self-posting form_post page,
      // which would need a script and a form-action to the operator under the bank's Content-Security-Policy.
      response_modes: ['query'],
    };
  });

  const linkIdForGrant = async (grantId: string | undefined) => {
    if (!grantId) return undefined;
    const [row] = await db.query<{ id: string }>(`SELECT id FROM links WHERE grant_id = $1`, [grantId]);
    return row?.id;
  };

  const DEVICE_ID = new RegExp(DeviceId.pattern!);
  /**
   * A renewal's `link_id` must name a FAPI link of this client that is not revoked nor frozen, or the request is
   * refused before the customer is sent anywhere. Whose link it is, is checked at the consent (the customer is not
   * known yet) and again under lock when the renewal is written (src/linking/renew-consent.ts).
   */
  async function checkRenewalLink(value: unknown, client_id: string | undefined) {
    if (value === undefined) return;
    if (typeof value !== 'string' || !isUuid(value)) throw new errors.InvalidRequest('link_id must be a link id (a lower-case UUID)');
    const [link] = await db.query<{ method: string; status: string }>(
      `SELECT l.method, l.status FROM links l JOIN operators o ON o.id = l.operator_id WHERE l.id = $1 AND o.client_id = $2`, [value, client_id ?? null]);
    if (!link) throw new errors.InvalidRequest('link_not_found: No such link for this operator');
    if (link.method !== 'fapi2') throw new errors.InvalidRequest('link_not_renewable: Only a link made with consent at the bank (FAPI 2.0) can be renewed');
    if (link.status === 'revoked') throw new errors.InvalidRequest('link_revoked: The link was revoked; it cannot be renewed, link again instead');
    if (link.status === 'frozen') throw new errors.InvalidRequest('link_frozen: The link is frozen after the customer reported it; the bank must settle that first');
  }
  const configuration: Configuration = {
    adapter: SqlAdapter,
    jwks: secrets.jwks as Configuration['jwks'],
    cookies: { keys: secrets.cookie_keys },
    async findAccount(_ctx, sub) {
      return { accountId: sub, claims: async () => ({ sub }) };
    },
    clientAuthMethods: ['private_key_jwt'],
    // FAPI 2.0 allows the code flow only; nothing implicit is advertised or accepted.
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', CHARGES_SCOPE],
    extraParams: {
      kyc_attestation: null,
      // The end user's device as the operator knows it (as X-Device-Id on the API): link risk counts it.
      device_id(_ctx, value) {
        if (value !== undefined && (typeof value !== 'string' || !DEVICE_ID.test(value))) {
          throw new errors.InvalidRequest('device_id must be 1 to 128 of A-Z a-z 0-9 . _ : -');
        }
      },
      // Renewal: the existing link whose consent this authorization renews (docs/api.md, "Renewing a consent").
      link_id: (_ctx, value, client) => checkRenewalLink(value, client?.clientId),
    },
    features: {
      devInteractions: { enabled: false },
      fapi: { enabled: true, profile: '2.0' },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
      dPoP: { enabled: true },
      revocation: { enabled: true },
      // No OpenID sessions to end at the bank (consent is per link): no logout pages, with their inline scripts.
      rpInitiatedLogout: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== resource) throw new Error(`unknown resource ${indicator}`);
          return {
            scope: CHARGES_SCOPE,
            audience: resource,
            accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'PS256' } },
          };
        },
      },
    },
    enabledJWA: {
      clientAuthSigningAlgValues: FAPI_ALGORITHMS as never,
      dPoPSigningAlgValues: FAPI_ALGORITHMS as never,
      idTokenSigningAlgValues: ['PS256', 'ES256'] as never,
    },
    clientDefaults: { id_token_signed_response_alg: 'PS256' },
    pkce: { required: () => true },
    ttl: {
      AuthorizationCode: request_ttl_seconds ?? AUTHORIZATION_CODE_TTL_SECONDS,
      PushedAuthorizationRequest: request_ttl_seconds ?? PUSHED_REQUEST_TTL_SECONDS,
      AccessToken: ACCESS_TOKEN_TTL_SECONDS,
      Interaction: INTERACTION_TTL_SECONDS,
      Session: INTERACTION_TTL_SECONDS,
      Grant: CONSENT_TTL_SECONDS,
      RefreshToken: CONSENT_TTL_SECONDS,
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    async extraTokenClaims(_ctx: KoaContextWithOIDC, token) {
      const link_id = await linkIdForGrant((token as { grantId?: string }).grantId);
      return link_id ? { link_id } : undefined;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: renderAuthorizationError,
  };
  const provider = new Provider(issuer, configuration);
  // Behind pinPublicOrigin (src/http/public-origin.ts), X-Forwarded-Host and -Proto carry the configured public
  // origin, never the client's: oidc-provider builds its endpoint URLs, expected DPoP htu and client-assertion
  // audiences from them.
  provider.proxy = true;
  mapProviderErrors(provider, log);
  return provider;
}
