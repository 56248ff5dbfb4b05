/**
 * Paying a shop from e-money. The payment id comes from the form, and is the ledger transfer id:
 * a form submitted twice finds its transfer `exists` and shows the first payment instead of paying again.
 */
import type { CreateTransferResult } from '../ledger/ledger-types.ts';
import { assert } from '../shared/assert.ts';
import { isAmountYen } from '../shared/yen.ts';
import type { Queryable } from '../storage/database.ts';
import { parseUuid } from './form-fields.ts';
import type { WalletContext } from './wallet-context.ts';
import { walletTransferCodes } from './wallet-ledger-codes.ts';
import { findWalletMerchant } from './wallet-merchants.ts';
import { walletFailure, type WalletFailure, type WalletOutcome } from './wallet-outcome.ts';
import type { WalletUser } from './wallet-users.ts';

export interface WalletPayment {
  id: string;
  user_id: string;
  merchant_id: string;
  merchant_name: string;
  amount_yen: number;
  created_at: Date;
}

/** The user's payment with this id, or null. */
export async function findPayment(db: Queryable, user_id: string, id: string): Promise<WalletPayment | null> {
  const [payment] = await db.query<WalletPayment>(
    `SELECT p.id, p.user_id, p.merchant_id, m.name AS merchant_name, p.amount_yen, p.created_at
     FROM wallet_payments p JOIN wallet_merchants m ON m.id = p.merchant_id WHERE p.id = $1 AND p.user_id = $2`,
    [id, user_id],
  );
  return payment ?? null;
}

/** The failure for a ledger result that means "not written", shared by payments and sends. */
export function movementFailure(result: CreateTransferResult | undefined): WalletFailure {
  if (result === 'exceeds_credits') return walletFailure('wallet_balance_insufficient', '残高が足りません / Your wallet balance is too low');
  assert(result?.startsWith('exists_with_different_'), `an e-money movement was refused by the ledger: ${result}`);
  return walletFailure('idempotency_key_reused', 'このフォームは別の内容で送信済みです / This form was already sent with different details');
}

/** Pays a merchant from the user's e-money, never below zero; idempotent on `payment_id`. */
export async function payMerchant(
  context: WalletContext,
  user: WalletUser,
  request: { payment_id: string; merchant_id: string; amount_yen: number },
): Promise<WalletOutcome<{ payment: WalletPayment; replayed: boolean }>> {
  const { db, ledger, clock, log } = context;
  const payment_id = parseUuid(request.payment_id);
  if (payment_id === null) return walletFailure('validation_failed', 'フォームを読み込み直してください / Reload the form and try again', { field: 'payment_id' });
  const { amount_yen } = request;
  if (!isAmountYen(amount_yen)) return walletFailure('validation_failed', '金額は1円以上の整数です / Enter a whole number of yen, at least ¥1', { field: 'amount_yen' });
  const merchant_id = parseUuid(request.merchant_id);
  const merchant = merchant_id === null ? null : await findWalletMerchant(db, merchant_id);
  if (!merchant) return walletFailure('wallet_merchant_not_found', 'お店を選んでください / Choose a shop', { field: 'merchant_id' });

  const outcome = await db.transaction(async (tx) => {
    const results = await ledger.applyTransfers(tx, [
      { id: payment_id, debit_account_id: user.account_id, credit_account_id: merchant.account_id, amount_yen, code: walletTransferCodes.payment },
    ]);
    assert(results.length === 1, 'one result per transfer');
    const [result] = results;
    if (result === 'ok') {
      await tx.query(`INSERT INTO wallet_payments (id, user_id, merchant_id, amount_yen, created_at) VALUES ($1, $2, $3, $4, $5)`, [
        payment_id, user.id, merchant.id, amount_yen, clock.now(),
      ]);
    }
    return result;
  });
  if (outcome !== 'ok' && outcome !== 'exists') return movementFailure(outcome);
  const payment = await findPayment(db, user.id, payment_id);
  assert(payment && payment.amount_yen === amount_yen && payment.merchant_id === merchant.id, 'a posted payment has its record');
  if (outcome === 'ok') log.info({ wallet_user_id: user.id, payment_id, merchant_id: merchant.id, amount_yen }, 'payment made');
  return { ok: true, value: { payment, replayed: outcome === 'exists' } };
}
