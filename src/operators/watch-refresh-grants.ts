import { parse as parseForm } from 'node:querystring';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { decodeJwt } from 'jose';
import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { NewAlert } from '../cases/alert.ts';
import type { OperatorRegistry } from './operator-registry.ts';
import type { OperatorContainments } from './operator-containments.ts';
import { sourceAddressAllowed, sourceRefusalAlertId } from './operator-source-addresses.ts';
import { addOperatorActivity, recordOperatorSources } from './operator-activity.ts';
import { loadOperatorAnomalies } from './load-operator-anomalies.ts';

/** The token request's parameters as sent (the body mountProvider read), before oidc-provider parses them. */
function tokenParameters(ctx: KoaContextWithOIDC): Record<string, unknown> {
  const body = (ctx.req as { body?: unknown }).body;
  return Buffer.isBuffer(body) ? parseForm(body.toString('utf8')) : {};
}

/** The client a token request names: its private_key_jwt assertion's subject, or client_id. */
function claimedClientId(params: Record<string, unknown>): string | undefined {
  if (typeof params.client_assertion === 'string') {
    try {
      const { sub } = decodeJwt(params.client_assertion);
      if (typeof sub === 'string') return sub;
    } catch {
      // Not a JWT: oidc-provider refuses it as invalid_client.
    }
  }
  return typeof params.client_id === 'string' ? params.client_id : undefined;
}

/**
 * Watches refresh-token grants per operator at the authorization server (oidc-provider's pre- and post-middleware):
 * - before anything, a refresh grant naming an operator that registered its source addresses, sent from another
 *   address, is refused (`unauthorized_client`, described `operator_source_not_registered`) and staff are alerted:
 *   a stolen refresh token and DPoP key are worth nothing away from the operator's servers. The check comes before
 *   client authentication, so the answer is the same whether the stolen client key signed the request or not, and
 *   the refresh token is not spent;
 * - after a refresh grant succeeds, it is counted into the operator's activity, and when that takes the operator
 *   past its containment level the operator is contained (its later charges held, its new links suspended).
 */
export function watchRefreshGrants(provider: Provider, { db, clock, log, operators, containments, raiseAlerts }: {
  db: Database; clock: Clock; log: Logger; operators: OperatorRegistry; containments: OperatorContainments;
  raiseAlerts: (tx: Queryable, alerts: readonly NewAlert[]) => Promise<unknown>;
}): void {
  provider.use(async (ctx, next) => {
    const oidc = ctx as KoaContextWithOIDC;
    const params = ctx.method === 'POST' && ctx.path === '/token' ? tokenParameters(oidc) : {};
    const refresh = params.grant_type === 'refresh_token';
    const client_id = refresh ? claimedClientId(params) : undefined;
    const operator = client_id ? await operators.clientRegistration(client_id) : undefined;
    if (operator && !sourceAddressAllowed(operator.source_addresses, ctx.ip)) {
      const now = clock.now();
      const id = sourceRefusalAlertId(operator.id, ctx.ip, now);
      await db.transaction((tx) => raiseAlerts(tx, [{
        id, kind: 'operator_source_refused', severity: 'high', operator_id: operator.id, at: now,
        summary: `${operator.display_name}: a refresh-token grant from ${ctx.ip}, not a registered address, refused`,
        reason_codes: ['operator_source_not_registered'], details: { source_ip: ctx.ip, path: 'refresh_token' },
      }]));
      log.warn({ operator_id: operator.id, source_ip: ctx.ip }, 'refresh grant from an unregistered address refused');
      ctx.status = 400;
      ctx.set('cache-control', 'no-store');
      ctx.body = { error: 'unauthorized_client', error_description: 'operator_source_not_registered: this client may not use its grants from this address' };
      return;
    }
    await next();
    if (!operator || oidc.oidc?.route !== 'token' || ctx.status !== 200) return;
    const now = clock.now();
    await db.transaction(async (tx) => {
      const [anomaly] = await loadOperatorAnomalies(tx, [{ operator_id: operator.id, registered_at: operator.created_at, kind: 'refresh' }], now);
      await addOperatorActivity(tx, [{ operator_id: operator.id, kind: 'refresh' }], now);
      await recordOperatorSources(tx, [{ operator_id: operator.id, source_ip: ctx.ip }], now);
      if (containments.enforced && operator.containment_level !== null && anomaly!.level >= operator.containment_level) {
        await containments.contain(tx, operator, anomaly!, now);
      }
    });
  });
}
