/**
 * The bank sends the browser back to /link/callback with a code (or an error) and the state. The state must be
 * one this wallet issued to this user, unexpired and unused; then the code is exchanged, with the PKCE verifier
 * and a DPoP proof by the key the authorization was bound to, for a DPoP-bound access token scoped to one link.
 */
import { decodeJwt, type JWK } from 'jose';
import * as client from 'openid-client';
import { fapiFailure } from './fapi-failure.ts';
import { importDpopKeys, type FapiOperatorClient } from './fapi-operator-client.ts';
import { textField } from './form-fields.ts';
import { stateHash } from './start-bank-authorization.ts';
import type { WalletContext } from './wallet-context.ts';
import { insertBankGrant, replaceBankGrant } from './wallet-bank-grants.ts';
import { findActiveBankLink, type WalletBankLink } from './wallet-bank-links.ts';
import { walletFailure, type WalletOutcome } from './wallet-outcome.ts';
import type { WalletUser } from './wallet-users.ts';
import { bankFailure } from './bank-failure.ts';
import { bankCodeMessage } from './bank-code-messages.ts';

/** Longest state read from the callback: openid-client's are 43 characters. */
const STATE_CHARS_MAX = 128;
/** The bank's refusal at consent reads `code: description`; the code is a snake_case word. */
const BANK_REFUSAL_CODE = /^([a-z][a-z0-9_]{1,63}):/;

const STATE_INVALID = 'この連携リクエストは無効か期限切れです。もう一度「銀行口座を連携する」から始めてください / ' +
  'This answer from the bank is unknown, expired or already used; start again from "Link bank account"';

/** Finishes the link the bank answered: exchanges the code, stores the link, its tokens and its DPoP key. */
export async function finishBankAuthorization(
  context: WalletContext,
  fapi: FapiOperatorClient,
  user: WalletUser,
  callback_url: URL,
): Promise<WalletOutcome<WalletBankLink & { renewed?: true }>> {
  const { db, bank, clock, log } = context;
  const state = textField(callback_url.searchParams.get('state') ?? undefined);
  if (!state || state.length > STATE_CHARS_MAX) return walletFailure('wallet_link_state_invalid', STATE_INVALID);
  const now = clock.now();
  // Claiming the row is the check: another user's state, an old one or a used one claims nothing.
  const [pending] = await db.query<{ code_verifier: string; dpop_private_jwk: JWK; dpop_public_jwk: JWK }>(
    `UPDATE wallet_link_authorizations SET used_at = $3
      WHERE state_hash = $1 AND user_id = $2 AND used_at IS NULL AND expires_at > $3
      RETURNING code_verifier, dpop_private_jwk, dpop_public_jwk`,
    [stateHash(state), user.id, now],
  );
  if (!pending) {
    log.warn({ wallet_user_id: user.id }, 'bank callback with an unknown, expired or used state');
    return walletFailure('wallet_link_state_invalid', STATE_INVALID);
  }

  const error = callback_url.searchParams.get('error');
  if (error !== null) {
    const description = callback_url.searchParams.get('error_description') ?? '';
    const bank_code = BANK_REFUSAL_CODE.exec(description)?.[1] ?? error;
    log.info({ wallet_user_id: user.id, error, bank_code, error_description: description.slice(0, 200) }, 'bank declined the link');
    // The description is the bank's, for engineers: the user reads the wallet's words for its code, or that the link was cancelled.
    const reason = bank_code !== error ? bankCodeMessage(bank_code)
      : error === 'access_denied' ? `銀行の画面で連携が中止されました / The link was cancelled at the bank（参照コード / Reference: ${error}）`
      : bankCodeMessage(error);
    return walletFailure('wallet_link_declined', `銀行が口座連携を行いませんでした / The bank did not link the account. ${reason}`, { bank_code });
  }

  const keys = await importDpopKeys(pending.dpop_private_jwk, pending.dpop_public_jwk);
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    const config = await fapi.configuration();
    tokens = await client.authorizationCodeGrant(config, callback_url, { pkceCodeVerifier: pending.code_verifier, expectedState: state }, undefined, {
      DPoP: fapi.dpop(config, keys),
    });
  } catch (exchange_error) {
    const failure = fapiFailure(exchange_error);
    log.warn({ wallet_user_id: user.id, code: failure.code, bank_code: failure.bank_code, reason: (exchange_error as Error)?.message }, 'code exchange refused');
    return failure;
  }
  if (tokens.token_type.toLowerCase() !== 'dpop') {
    return walletFailure('wallet_bank_authorization_failed', 'The bank issued a token that is not DPoP-bound', { bank_code: tokens.token_type });
  }
  // The access token names its link (the bank's link_id claim); the wallet reads it, the bank verifies it.
  const link_id = decodeJwt(tokens.access_token).link_id;
  if (typeof link_id !== 'string') return walletFailure('wallet_bank_authorization_failed', 'The access token names no link');

  // A renewal (startBankAuthorization with renew) comes back with the link the user already has: the same link
  // charges on with the new tokens and their DPoP key; the bank has ended the old ones.
  const current = await findActiveBankLink(db, user.id);
  if (current?.id === link_id) {
    await replaceBankGrant(db, {
      link_id, access_token: tokens.access_token, access_token_expires_at: new Date(now.getTime() + (tokens.expiresIn() ?? 0) * 1000),
      refresh_token: tokens.refresh_token ?? null, dpop_private_jwk: keys.private_jwk, dpop_public_jwk: keys.public_jwk, updated_at: now,
    });
    log.info({ wallet_user_id: user.id, bank_link_id: link_id }, 'bank consent renewed');
    return { ok: true, value: { ...current, renewed: true } };
  }

  let bank_link: Awaited<ReturnType<typeof bank.getLink>>;
  try {
    bank_link = await bank.getLink(link_id);
  } catch (read_error) {
    log.warn({ wallet_user_id: user.id, bank_link_id: link_id }, 'linked, but the link could not be read back');
    return bankFailure(read_error);
  }
  const expires_in_seconds = tokens.expiresIn() ?? 0;
  const stored = await db.transaction(async (tx) => {
    const [row] = await tx.query<WalletBankLink>(
      `INSERT INTO wallet_bank_links (id, user_id, link_token, status, method, branch_code, account_number_masked,
         charge_yen_max, charges_yen_per_month_max, created_at)
       VALUES ($1, $2, NULL, 'active', $3, $4, $5, $6, $7, $8)
       ON CONFLICT (user_id) WHERE status = 'active' DO NOTHING
       RETURNING id, user_id, link_token, status, method, branch_code, account_number_masked,
         charge_yen_max, charges_yen_per_month_max, created_at, revoked_at`,
      [bank_link.id, user.id, bank_link.method, bank_link.account.branch_code, bank_link.account.account_number_masked,
        bank_link.limits.charge_yen_max, bank_link.limits.charges_yen_per_month_max, now],
    );
    if (!row) return null;
    await insertBankGrant(tx, {
      link_id: row.id, access_token: tokens.access_token, access_token_expires_at: new Date(now.getTime() + expires_in_seconds * 1000),
      refresh_token: tokens.refresh_token ?? null, dpop_private_jwk: keys.private_jwk, dpop_public_jwk: keys.public_jwk, updated_at: now,
    });
    return row;
  });
  if (!stored) {
    // Two links finished at once; one is enough, so give the bank back the one that lost.
    await bank.revokeLink(link_id).catch((revoke_error: unknown) => log.warn({ err: revoke_error, bank_link_id: link_id }, 'could not revoke a surplus bank link'));
    const existing = await findActiveBankLink(db, user.id);
    return existing ? { ok: true, value: existing } : walletFailure('wallet_bank_link_exists');
  }
  log.info({ wallet_user_id: user.id, bank_link_id: stored.id, method: stored.method }, 'bank account linked');
  return { ok: true, value: stored };
}
