/**
 * チャージ: pulling money from the linked bank account into the wallet. The top-up id is chosen once
 * (embedded in the form) and used four ways: the wallet's record, the bank's Idempotency-Key, the charge's
 * description (the reference on the receipt), and the ledger transfer id. So a double submit, a retry after
 * a timeout, or a crash between the bank's answer and the credit all end with exactly one charge at the
 * bank and exactly one credit in the wallet.
 */
import type { WalletEndUser } from './wallet-devices.ts';
import { assert } from '../shared/assert.ts';
import { isAmountYen } from '../shared/yen.ts';
import type { Queryable } from '../storage/database.ts';
import { BankError } from './bank-error.ts';
import { CHARGE_DESCRIPTION_CHARS_MAX, CHARGES_PAGE_MAX, type BankCharge } from './bank-client.ts';
import { bankFailure } from './bank-failure.ts';
import { parseUuid } from './form-fields.ts';
import { isLinkGone } from './link-bank-account.ts';
import type { WalletContext } from './wallet-context.ts';
import { findActiveBankLink, findBankLink, markBankLinkRevoked, type WalletBankLink } from './wallet-bank-links.ts';
import { BANK_FUNDING_ACCOUNT_ID, walletTransferCodes } from './wallet-ledger-codes.ts';
import { walletFailure, type WalletFailure, type WalletOutcome } from './wallet-outcome.ts';
import type { WalletUser } from './wallet-users.ts';

/**
 * Bank refusals of the link credential itself (a 2020 link token, or a FAPI 2.0 access or refresh token). The bank
 * checks the credential before the Idempotency-Key, so a retry after the link was revoked gets one of these even if
 * the first attempt did charge.
 */
const CREDENTIAL_REFUSALS = new Set(['link_revoked', 'link_token_invalid', 'access_token_invalid', 'invalid_grant']);
/** Bank charge states that are neither done nor dead: wait, and ask again later. */
const BANK_CHARGE_STATUSES_PENDING = new Set(['pending', 'pending_approval', 'held', 'challenged', 'requires_action']);

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

async function findTopUpById(db: Queryable, id: string): Promise<WalletTopUp | null> {
  const [top_up] = await db.query<WalletTopUp>(`SELECT ${TOP_UP_COLUMNS} FROM wallet_top_ups WHERE id = $1`, [id]);
  return top_up ?? null;
}

/** The charge description: the top-up id, which the receipt shows as its reference and which finds the charge again. */
function chargeDescription(top_up: WalletTopUp): string {
  assert(top_up.id.length <= CHARGE_DESCRIPTION_CHARS_MAX, 'a top-up id fits in a charge description');
  return top_up.id;
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
  request: { top_up_id: string; amount_yen: number; end_user?: WalletEndUser },
): Promise<WalletOutcome<TopUpResult>> {
  const { db, clock } = context;
  const top_up_id = parseUuid(request.top_up_id);
  if (top_up_id === null) return walletFailure('validation_failed', 'フォームを読み込み直してください / Reload the form and try again', { field: 'top_up_id' });
  const { amount_yen } = request;
  if (!isAmountYen(amount_yen)) return walletFailure('validation_failed', '金額は1円以上の整数です / Enter a whole number of yen, at least ¥1', { field: 'amount_yen' });

  let top_up = await findTopUpById(db, top_up_id);
  // A row that is already there and pending means an earlier attempt got no answer: the bank may have charged.
  const retry = top_up !== null;
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
  if (top_up.status === 'failed') return storedFailure(top_up);
  return settleWithBank(context, user, top_up, retry, request.end_user);
}

function storedFailure(top_up: WalletTopUp): WalletFailure {
  return walletFailure('bank_refused', top_up.failure_detail ?? '銀行が処理できませんでした / The bank refused the top-up', {
    bank_code: top_up.failure_code ?? undefined,
    status: 422,
  });
}

/** Asks the bank (again, with the same key) and settles a pending top-up by the answer. */
async function settleWithBank(context: WalletContext, user: WalletUser, top_up: WalletTopUp, retry: boolean,
  end_user: WalletEndUser | undefined): Promise<WalletOutcome<TopUpResult>> {
  const { db, bank, log } = context;
  const link = await findBankLink(db, top_up.link_id);
  assert(link && link.user_id === user.id, 'a top-up belongs to a link of its own user');
  let charge: BankCharge;
  try {
    // A charge the bank is still reviewing is looked up; anything else is (re)posted with the same key.
    charge = top_up.bank_charge_id
      ? await bank.getCharge(top_up.bank_charge_id)
      : (await context.chargeSender.send(link, {
        idempotency_key: top_up.id, amount_yen: top_up.amount_yen, description: chargeDescription(top_up), ...(end_user ? { end_user } : {}),
      })).charge;
  } catch (error) {
    const credential_refused = error instanceof BankError && CREDENTIAL_REFUSALS.has(error.bank_code);
    if (!(retry && credential_refused)) return refused(context, user, top_up, link, error);
    if (isLinkGone(error)) await markBankLinkRevoked(db, link.id, context.clock.now());
    // The credential no longer works, so the bank would not replay; find the charge by its reference instead.
    let found: BankCharge | null | undefined;
    try {
      found = await findChargeByReference(context, link, top_up);
    } catch (lookup_error) {
      return { ...bankFailure(lookup_error), retryable: true };
    }
    if (found === undefined) return { ...bankFailure(error), retryable: true };
    if (found === null) return refused(context, user, top_up, link, error);
    charge = found;
    log.info({ top_up_id: top_up.id, bank_charge_id: charge.id }, 'top-up found at the bank by its reference after the link stopped working');
  }
  assert(charge.amount_yen === top_up.amount_yen, `the bank charged ¥${charge.amount_yen} for a ¥${top_up.amount_yen} top-up`);
  if (charge.status === 'succeeded') return credit(context, top_up, charge);
  if (BANK_CHARGE_STATUSES_PENDING.has(charge.status)) {
    await db.query(`UPDATE wallet_top_ups SET bank_charge_id = $2 WHERE id = $1`, [top_up.id, charge.id]);
    return walletFailure('bank_refused', `銀行で確認中です / The bank is reviewing this top-up (${charge.status})`, { bank_code: charge.status, status: 202, retryable: true });
  }
  const detail = `銀行がチャージを取り消しました / The bank did not complete the charge (${charge.status})`;
  await markFailed(context, top_up, charge.status, detail, charge.id);
  return walletFailure('bank_refused', detail, { bank_code: charge.status, status: 422 });
}

/**
 * The charge with this top-up's reference among the link's newest charges (operator credentials, which
 * outlive the link): the charge, null if it is certainly not there, undefined if the page was too full to say.
 */
async function findChargeByReference(context: WalletContext, link: WalletBankLink, top_up: WalletTopUp): Promise<BankCharge | null | undefined> {
  const charges = await context.bank.listCharges({ link_id: link.id, limit: CHARGES_PAGE_MAX });
  const found = charges.find((charge) => charge.description === chargeDescription(top_up));
  if (found) return found;
  // Newest first: a full page whose oldest charge is newer than this top-up may have pushed it off.
  const oldest = charges.at(-1);
  const complete = charges.length < CHARGES_PAGE_MAX || (oldest !== undefined && new Date(oldest.created_at) < top_up.created_at);
  return complete ? null : undefined;
}

/** Settles a bank refusal: a definite one fails the top-up; anything else leaves it pending for a retry. */
async function refused(context: WalletContext, user: WalletUser, top_up: WalletTopUp, link: WalletBankLink, error: unknown): Promise<WalletFailure> {
  const failure = bankFailure(error);
  const definitive = error instanceof BankError && error.bank_status >= 400 && error.bank_status < 500 && error.bank_status !== 429;
  context.log.info({ wallet_user_id: user.id, top_up_id: top_up.id, code: failure.code, bank_code: failure.bank_code, definitive }, 'top-up not done');
  if (isLinkGone(error)) await markBankLinkRevoked(context.db, link.id, context.clock.now());
  if (!definitive) return { ...failure, retryable: true };
  await markFailed(context, top_up, failure.bank_code ?? failure.code, failure.detail, null);
  return failure;
}

async function markFailed(context: WalletContext, top_up: WalletTopUp, code: string, detail: string, bank_charge_id: string | null): Promise<void> {
  await context.db.query(
    `UPDATE wallet_top_ups SET status = 'failed', failure_code = $2, failure_detail = $3, bank_charge_id = coalesce($4, bank_charge_id), completed_at = $5
      WHERE id = $1 AND status = 'pending'`,
    [top_up.id, code, detail, bank_charge_id, context.clock.now()],
  );
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
