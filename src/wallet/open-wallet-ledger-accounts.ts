import type { Ledger } from '../ledger/ledger-types.ts';
import { assert } from '../shared/assert.ts';
import type { Database } from '../storage/database.ts';
import { BANK_FUNDING_ACCOUNT_ID, walletAccountCodes } from './wallet-ledger-codes.ts';
import { listWalletMerchants } from './wallet-merchants.ts';

/**
 * Opens the wallet's fixed ledger accounts (bank funding, and one per merchant) if they are not open yet.
 * Safe to run at every start: creating an account again with the same fields is `exists`.
 */
export async function openWalletLedgerAccounts(db: Database, ledger: Ledger): Promise<void> {
  const merchants = await listWalletMerchants(db);
  const accounts = [
    // No flag: the bank-funding account goes negative by design, by what the bank has paid in.
    { id: BANK_FUNDING_ACCOUNT_ID, code: walletAccountCodes.bank_funding },
    ...merchants.map((merchant) => ({ id: merchant.account_id, code: walletAccountCodes.merchant })),
  ];
  const results = await ledger.createAccounts(accounts);
  results.forEach((result, index) =>
    assert(result === 'ok' || result === 'exists', `wallet account ${accounts[index]?.id} could not be opened: ${result}`),
  );
}
