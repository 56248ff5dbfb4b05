/**
 * Charges on a FAPI 2.0 link: openid-client's fetchProtectedResource with the link's DPoP-bound access token and
 * a fresh proof by the link's key for every request. An access token close to expiry is refreshed first (the
 * refresh is DPoP-bound too), one refresh per link at a time, so concurrent top-ups never race a rotation.
 */
import * as client from 'openid-client';
import { FurikaeError } from '../errors/furikae-error.ts';
import { assert } from '../shared/assert.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { Database } from '../storage/database.ts';
import { BankError } from './bank-error.ts';
import { endUserHeaders, readBankAnswer, readCharge } from './bank-client.ts';
import type { BankChargeRequest, BankChargeSender } from './bank-charge-sender.ts';
import { isNetworkFailure } from './fapi-failure.ts';
import { importDpopKeys, type DpopKeys, type FapiOperatorClient } from './fapi-operator-client.ts';
import { findBankGrant, updateBankGrantTokens, type WalletBankGrant } from './wallet-bank-grants.ts';

/** Refresh this long before expiry, so a token never expires between the check and the bank reading it. */
export const ACCESS_TOKEN_REFRESH_MARGIN_MS = 60_000;

interface Credential {
  access_token: string;
  keys: DpopKeys;
}

/** What openid-client throws for an error answer it has read; the answer itself is on `response`. */
function answerIn(error: unknown): Response | undefined {
  const response = (error as { response?: unknown } | null)?.response;
  return response instanceof Response ? response : undefined;
}

/** A charge sender for hardened links. */
export function createDpopChargeSender({ db, clock, log, fapi }: { db: Database; clock: Clock; log: Logger; fapi: FapiOperatorClient }): BankChargeSender {
  /** Refreshes in flight, by link: the second caller waits for the first refresh instead of starting its own. */
  const refreshing = new Map<string, Promise<Credential>>();

  async function refresh(grant: WalletBankGrant, keys: DpopKeys): Promise<Credential> {
    if (!grant.refresh_token) throw new BankError(401, 'invalid_grant', 'The access token expired and the bank gave no refresh token');
    const config = await fapi.configuration();
    let tokens: Awaited<ReturnType<typeof client.refreshTokenGrant>>;
    try {
      tokens = await client.refreshTokenGrant(config, grant.refresh_token, undefined, { DPoP: fapi.dpop(config, keys) });
    } catch (error) {
      const oauth_error = (error as { error?: unknown } | null)?.error;
      // invalid_grant: the link was revoked or its consent ran out at the bank; the grant went with it.
      if (typeof oauth_error === 'string') throw new BankError(400, oauth_error, (error as { error_description?: string }).error_description ?? 'The bank refused the refresh token');
      throw error;
    }
    const now = clock.now();
    await updateBankGrantTokens(db, grant.link_id, {
      access_token: tokens.access_token,
      access_token_expires_at: new Date(now.getTime() + (tokens.expiresIn() ?? 0) * 1000),
      refresh_token: tokens.refresh_token,
      updated_at: now,
    });
    log.info({ bank_link_id: grant.link_id }, 'access token refreshed');
    return { access_token: tokens.access_token, keys };
  }

  /** A usable access token for the link: the stored one, or a refreshed one when it is (nearly) expired or `force`. */
  async function credential(link_id: string, force: boolean): Promise<Credential> {
    const inflight = refreshing.get(link_id);
    if (inflight) return inflight;
    const grant = await findBankGrant(db, link_id);
    assert(grant, `active link ${link_id} has a grant`);
    const keys = await importDpopKeys(grant.dpop_private_jwk, grant.dpop_public_jwk);
    const fresh = grant.access_token_expires_at.getTime() - ACCESS_TOKEN_REFRESH_MARGIN_MS > clock.now().getTime();
    if (fresh && !force) return { access_token: grant.access_token, keys };
    const started = refresh(grant, keys).finally(() => refreshing.delete(link_id));
    refreshing.set(link_id, started);
    return started;
  }

  async function post(link_id: string, body: string, request: BankChargeRequest, force_refresh: boolean): Promise<Response> {
    const { access_token, keys } = await credential(link_id, force_refresh);
    const config = await fapi.configuration();
    const headers = new Headers({
      'content-type': 'application/json', accept: 'application/json', 'idempotency-key': request.idempotency_key, ...endUserHeaders(request.end_user),
    });
    return client.fetchProtectedResource(config, access_token, fapi.charges_url, 'POST', body, headers, { DPoP: fapi.dpop(config, keys) });
  }

  return {
    async send(link, request) {
      assert(link.method === 'fapi2', `link ${link.id} is a ${link.method} link, not a FAPI 2.0 one`);
      const payload: Record<string, unknown> = { amount_yen: request.amount_yen, link_id: link.id };
      if (request.description !== undefined) payload.description = request.description;
      const body = JSON.stringify(payload);
      try {
        let response = await post(link.id, body, request, false);
        // A token the bank thinks expired (clocks apart): refresh once and send again with the same key.
        if (response.status === 401 && (await response.clone().json().catch(() => ({}))).code === 'access_token_invalid') {
          response = await post(link.id, body, request, true);
        }
        const { body: answer, headers } = await readBankAnswer(response, 'POST /v1/charges');
        return { charge: readCharge(answer), replayed: headers.get('idempotent-replayed') === 'true' };
      } catch (error) {
        if (error instanceof BankError) throw error;
        const answer = answerIn(error);
        if (answer) {
          const code = (error as { error?: unknown }).error;
          throw new BankError(answer.status, typeof code === 'string' ? code : 'bank_error', (error as Error).message);
        }
        // No answer: the bank may or may not have charged, so the top-up stays pending for a retry with the same key.
        if (isNetworkFailure(error)) throw new FurikaeError('wallet_bank_unreachable', `POST /v1/charges got no answer: ${(error as Error).name}`);
        throw error;
      }
    },
  };
}
