/**
 * チャージ: pulling money from the linked bank account into the wallet. The top-up id is chosen once
 * (embedded in the form) and used three ways: the wallet's record, the bank's Idempotency-Key, and the
 * ledger transfer id. So a double submit, a retry after a timeout, or a crash between the bank's answer
 * and the credit all end with exactly one charge at the bank and exactly one credit in the wallet.
 */
import { assert } from '../shared/assert.ts';
import { isAmountYen } from '../shared/yen.ts';
import type { Queryable } from '../storage/database.ts';
import { BankError } from './bank-error.ts';
import type { BankCharge } from './bank-client.ts';
import { bankFailure } from './bank-failure.ts';
import { parseUuid } from './form-fields.ts';
import { isLinkGone } from './link-bank-account.ts';
import type { WalletContext } from './wallet-context.ts';
import { findActiveBankLink, findBankLink, markBankLinkRevoked } from './wallet-bank-links.ts';
import { BANK_FUNDING_ACCOUNT_ID, walletTransferCodes } from './wallet-ledger-codes.ts';
import { walletFailure, type WalletOutcome } from './wallet-outcome.ts';
import type { WalletUser } from './wallet-users.ts';

/** What the bank's statement shows beside each charge (the bank caps it at 40 characters). */
export const TOP_UP_DESCRIPTION = 'ウォレットへのチャージ';
/** Bank charge states that are neither done nor dead: wait, and ask again later. */
const BANK_CHARGE_STATUSES_PENDING = new Set(['pending', 'held', 'challenged', 'requires_action']);

export interface WalletTopUp {
  id: string;
  user_id: string;
  link_id: string;
  amount_yen: number;
  status: 'pending' | 'succeeded' | 'failed';
  bank_charge_id: string | null;
  failure_code: string | null;
  failure_detail: string | null;
  created_at: Date;
  completed_at: Date | null;
}

const TOP_UP_COLUMNS = `id, user_id, link_id, amount_yen, status, bank_charge_id, failure_code, failure_detail, created_at, completed_at`;

/** The user's top-up with this id, or null (another user's top-up is null too). */
export async function findTopUp(db: Queryable, user_id: string, id: string): Promise<WalletTopUp | null> {
  const [top_up] = await db.query<WalletTopUp>(`SELECT ${TOP_UP_COLUMNS} FROM wallet_top_ups WHERE id = $1 AND user_id = $2`, [id, user_id]);
  return top_up ?? null;
}

export interface TopUpResult {
  top_up: WalletTopUp;
  /** True when this id had already been settled: nothing new happened. */
  replayed: boolean;
}

/** Tops up the user's e-money from their linked bank account; idempotent on `top_up_id`. */
export async function topUp(
  context: WalletContext,
  user: WalletUser,
  request: { top_up_id: string; amount_yen: number },
): Promise<WalletOutcome<TopUpResult>> {
  const { db, clock } = context;
  const top_up_id = parseUuid(request.top_up_id);
  if (top_up_id === null) return walletFailure('validation_failed', 'フォームを読み込み直してください / Reload the form and try again', { field: 'top_up_id' });
  const { amount_yen } = request;
  if (!isAmountYen(amount_yen)) return walletFailure('validation_failed', '金額は1円以上の整数です / Enter a whole number of yen, at least ¥1', { field: 'amount_yen' });

  let top_up = await findTopUpById(db, top_up_id);
  if (!top_up) {
    const link = await findActiveBankLink(db, user.id);
    if (!link) return walletFailure('wallet_no_bank_link', '先に銀行口座と連携してください / Link a bank account first');
    await db.query(
      `INSERT INTO wallet_top_ups (id, user_id, link_id, amount_yen, status, created_at) VALUES ($1, $2, $3, $4, 'pending', $5)
       ON CONFLICT (id) DO NOTHING`,
      [top_up_id, user.id, link.id, amount_yen, clock.now()],
    );
    top_up = await findTopUpById(db, top_up_id);
    assert(top_up, 'a top-up row exists after its insert');
  }
  if (top_up.user_id !== user.id || top_up.amount_yen !== amount_yen) {
    return walletFailure('idempotency_key_reused', 'このフォームは別の内容で送信済みです / This form was already sent with different details');
  }
  if (top_up.status === 'succeeded') return { ok: true, value: { top_up, replayed: true } };
  if (top_up.status === 'failed') {
    return walletFailure('bank_refused', top_up.failure_detail ?? '銀行が処理できませんでした / The bank refused the top-up', {
      bank_code: top_up.failure_code ?? undefined,
      status: 422,
    });
  }
  return settleWithBank(context, user, top_up);
}

async function findTopUpById(db: Queryable, id: string): Promise<WalletTopUp | null> {
  const [top_up] = await db.query<WalletTopUp>(`SELECT ${TOP_UP_COLUMNS} FROM wallet_top_ups WHERE id = $1`, [id]);
  return top_up ?? null;
}

/** Asks the bank (again, with the same key) and settles a pending top-up by the answer. */
async function settleWithBank(context: WalletContext, user: WalletUser, top_up: WalletTopUp): Promise<WalletOutcome<TopUpResult>> {
  const { db, bank, clock, log } = context;
  const link = await findBankLink(db, top_up.link_id);
  assert(link && link.user_id === user.id, 'a top-up belongs to a link of its own user');
  let charge: BankCharge;
  try {
    // A charge the bank is still reviewing is looked up; anything else is (re)posted with the same key.
    charge = top_up.bank_charge_id
      ? await bank.getCharge(top_up.bank_charge_id)
      : (await bank.createCharge({ link_token: link.link_token, idempotency_key: top_up.id, amount_yen: top_up.amount_yen, description: TOP_UP_DESCRIPTION })).charge;
  } catch (error) {
    const failure = bankFailure(error);
    const definitive = error instanceof BankError && error.bank_status >= 400 && error.bank_status < 500 && error.bank_status !== 429;
    log.info({ wallet_user_id: user.id, top_up_id: top_up.id, code: failure.code, bank_code: failure.bank_code, definitive }, 'top-up not done');
    if (!definitive) return { ...failure, retryable: true };
    if (isLinkGone(error)) await markBankLinkRevoked(db, link.id, clock.now());
    await db.query(
      `UPDATE wallet_top_ups SET status = 'failed', failure_code = $2, failure_detail = $3, completed_at = $4 WHERE id = $1 AND status = 'pending'`,
      [top_up.id, failure.bank_code ?? failure.code, failure.detail, clock.now()],
    );
    return failure;
  }
  assert(charge.amount_yen === top_up.amount_yen, `the bank charged ¥${charge.amount_yen} for a ¥${top_up.amount_yen} top-up`);
  if (charge.status === 'succeeded') return credit(context, top_up, charge);
  if (BANK_CHARGE_STATUSES_PENDING.has(charge.status)) {
    await db.query(`UPDATE wallet_top_ups SET bank_charge_id = $2 WHERE id = $1`, [top_up.id, charge.id]);
    return walletFailure('bank_refused', `銀行で確認中です / The bank is reviewing this top-up (${charge.status})`, { bank_code: charge.status, status: 202, retryable: true });
  }
  await db.query(
    `UPDATE wallet_top_ups SET status = 'failed', bank_charge_id = $2, failure_code = $3, failure_detail = $4, completed_at = $5 WHERE id = $1 AND status = 'pending'`,
    [top_up.id, charge.id, charge.status, `銀行がチャージを取り消しました / The bank did not complete the charge (${charge.status})`, clock.now()],
  );
  return walletFailure('bank_refused', `銀行がチャージを取り消しました / The bank did not complete the charge (${charge.status})`, { bank_code: charge.status, status: 422 });
}

/** Credits the e-money for a charge the bank confirmed; the transfer id is the top-up id, so this runs at most once in effect. */
async function credit(context: WalletContext, top_up: WalletTopUp, charge: BankCharge): Promise<WalletOutcome<TopUpResult>> {
  const { db, ledger, clock, log } = context;
  assert(isAmountYen(top_up.amount_yen), 'a top-up amount is whole positive yen');
  const settled = await db.transaction(async (tx) => {
    const [user] = await tx.query<{ account_id: string }>(`SELECT account_id FROM wallet_users WHERE id = $1`, [top_up.user_id]);
    assert(user, 'a top-up belongs to an existing user');
    const results = await ledger.applyTransfers(tx, [
      {
        id: top_up.id,
        debit_account_id: BANK_FUNDING_ACCOUNT_ID,
        credit_account_id: user.account_id,
        amount_yen: top_up.amount_yen,
        code: walletTransferCodes.top_up,
      },
    ]);
    assert(results.length === 1 && (results[0] === 'ok' || results[0] === 'exists'), `a confirmed top-up could not be credited: ${results[0]}`);
    const [row] = await tx.query<WalletTopUp>(
      `UPDATE wallet_top_ups SET status = 'succeeded', bank_charge_id = $2, completed_at = $3 WHERE id = $1
       RETURNING ${TOP_UP_COLUMNS}`,
      [top_up.id, charge.id, clock.now()],
    );
    assert(row, 'the top-up row is still there');
    return row;
  });
  log.info({ wallet_user_id: top_up.user_id, top_up_id: top_up.id, bank_charge_id: charge.id, amount_yen: top_up.amount_yen }, 'top-up credited');
  return { ok: true, value: { top_up: settled, replayed: false } };
}
