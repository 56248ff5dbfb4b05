/**
 * Sending e-money to another wallet user, found by e-mail. Like a payment, the form carries the id
 * that becomes the ledger transfer id, so a double submit sends once.
 */
import { assert } from '../shared/assert.ts';
import { isAmountYen } from '../shared/yen.ts';
import type { Queryable } from '../storage/database.ts';
import { parseEmail, parseUuid } from './form-fields.ts';
import { movementFailure } from './pay-merchant.ts';
import type { WalletContext } from './wallet-context.ts';
import { walletTransferCodes } from './wallet-ledger-codes.ts';
import { walletFailure, type WalletOutcome } from './wallet-outcome.ts';
import { findWalletUserByEmail, type WalletUser } from './wallet-users.ts';

export interface WalletSend {
  id: string;
  source_user_id: string;
  target_user_id: string;
  target_name: string;
  target_email: string;
  amount_yen: number;
  created_at: Date;
}

/** The send with this id that the user sent, or null. */
export async function findSend(db: Queryable, source_user_id: string, id: string): Promise<WalletSend | null> {
  const [send] = await db.query<WalletSend>(
    `SELECT s.id, s.source_user_id, s.target_user_id, u.name AS target_name, u.email AS target_email, s.amount_yen, s.created_at
     FROM wallet_sends s JOIN wallet_users u ON u.id = s.target_user_id WHERE s.id = $1 AND s.source_user_id = $2`,
    [id, source_user_id],
  );
  return send ?? null;
}

/** Moves e-money from the user to the wallet user with `recipient_email`, never below zero; idempotent on `send_id`. */
export async function sendToUser(
  context: WalletContext,
  user: WalletUser,
  request: { send_id: string; recipient_email: string; amount_yen: number },
): Promise<WalletOutcome<{ send: WalletSend; replayed: boolean }>> {
  const { db, ledger, clock, log } = context;
  const send_id = parseUuid(request.send_id);
  if (send_id === null) return walletFailure('validation_failed', 'フォームを読み込み直してください / Reload the form and try again', { field: 'send_id' });
  const { amount_yen } = request;
  if (!isAmountYen(amount_yen)) return walletFailure('validation_failed', '金額は1円以上の整数です / Enter a whole number of yen, at least ¥1', { field: 'amount_yen' });
  const email = parseEmail(request.recipient_email);
  if (email === null) return walletFailure('validation_failed', 'メールアドレスが正しくありません / Enter a valid e-mail address', { field: 'recipient_email' });
  const recipient = await findWalletUserByEmail(db, email);
  if (!recipient) return walletFailure('wallet_user_not_found', 'このメールアドレスのユーザーはいません / No wallet user has this e-mail', { field: 'recipient_email' });
  if (recipient.id === user.id) return walletFailure('wallet_send_to_self', '自分には送れません / You cannot send to yourself', { field: 'recipient_email' });

  const outcome = await db.transaction(async (tx) => {
    const results = await ledger.applyTransfers(tx, [
      { id: send_id, debit_account_id: user.account_id, credit_account_id: recipient.account_id, amount_yen, code: walletTransferCodes.send },
    ]);
    assert(results.length === 1, 'one result per transfer');
    const [result] = results;
    if (result === 'ok') {
      await tx.query(`INSERT INTO wallet_sends (id, source_user_id, target_user_id, amount_yen, created_at) VALUES ($1, $2, $3, $4, $5)`, [
        send_id, user.id, recipient.id, amount_yen, clock.now(),
      ]);
    }
    return result;
  });
  if (outcome !== 'ok' && outcome !== 'exists') return movementFailure(outcome);
  const send = await findSend(db, user.id, send_id);
  assert(send && send.amount_yen === amount_yen && send.target_user_id === recipient.id, 'a posted send has its record');
  if (outcome === 'ok') log.info({ wallet_user_id: user.id, send_id, target_user_id: recipient.id, amount_yen }, 'e-money sent');
  return { ok: true, value: { send, replayed: outcome === 'exists' } };
}
