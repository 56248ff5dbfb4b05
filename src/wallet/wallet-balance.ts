import type { Ledger } from '../ledger/ledger-types.ts';
import { assert } from '../shared/assert.ts';

/** What the user can spend: posted credits less posted and pending debits. */
export async function walletBalanceYen(ledger: Ledger, account_id: string): Promise<number> {
  const [account] = await ledger.lookupAccounts([account_id]);
  assert(account, `e-money account ${account_id} exists`);
  const balance_yen = account.credits_posted - account.debits_posted - account.debits_pending;
  assert(Number.isSafeInteger(balance_yen) && balance_yen >= 0, 'an e-money account is never overdrawn');
  return balance_yen;
}
