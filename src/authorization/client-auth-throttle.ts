import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { decodeJwt } from 'jose';
import type { OperatorRegistry } from '../operators/operator-registry.ts';
import type { CredentialThrottle } from '../throttle/credential-throttle.ts';
import { operatorAccountKey, type CredentialAttempt } from '../throttle/credential-attempt.ts';
import { OPERATOR_CLIENT_ID } from '../http/operator-auth.ts';

/** The client a failed client authentication named: the one oidc-provider loaded, else the one the request claimed. */
function claimedClientId(ctx: KoaContextWithOIDC): string | undefined {
  const loaded = ctx.oidc?.client?.clientId;
  if (loaded) return loaded;
  const params = ctx.oidc?.params as Record<string, unknown> | undefined;
  if (typeof params?.client_id === 'string') return params.client_id;
  try {
    const { sub } = decodeJwt(String(params?.client_assertion ?? ''));
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Puts failed client authentications at the authorization server (a private_key_jwt assertion that does not verify,
 * at PAR, the token endpoint or revocation) through the credential throttle, as the operator API's Basic secrets
 * are (src/http/operator-auth.ts): each counts towards its source's limit and its operator's alert, and once either is
 * over, further failures get 429 instead of 401. A client that authenticates is never refused: an assertion cannot
 * be guessed, so refusing the right one would only let a stranger who knows a client id lock an operator out.
 */
export function throttleClientAuthentication(provider: Provider, { throttle, operators }: { throttle: CredentialThrottle; operators: OperatorRegistry }): void {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.status !== 401 || (ctx.body as { error?: unknown } | undefined)?.error !== 'invalid_client') return;
    const client_id = claimedClientId(ctx as KoaContextWithOIDC);
    if (!client_id || !OPERATOR_CLIENT_ID.test(client_id)) return;
    const operator = await operators.clientRegistration(client_id);
    const attempt: CredentialAttempt = {
      credential: 'operator_secret', account_key: operatorAccountKey(client_id), source_ip: ctx.ip,
      // The assertion is the credential tried: the same one replayed counts as the same secret.
      secret: String((ctx as KoaContextWithOIDC).oidc?.params?.client_assertion ?? ''),
      ...(operator ? { account_operator_id: operator.id } : {}),
    };
    const decision = await throttle.check(attempt);
    if (!decision.ok) {
      ctx.status = 429;
      ctx.body = { error: 'invalid_client', error_description: 'too many failed client authentications; try again later' };
      return;
    }
    await throttle.recordFailure(attempt);
  });
}
