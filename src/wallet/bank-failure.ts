import { FurikaeError } from '../errors/furikae-error.ts';
import { BankError } from './bank-error.ts';
import { bankCodeMessage } from './bank-code-messages.ts';
import { walletFailure, type WalletFailure } from './wallet-outcome.ts';

/**
 * The page status for a bank refusal: the bank's 4xx says what was wrong with the request and passes through;
 * a 401 means the wallet's own credentials are wrong and a 5xx the bank broke, both the wallet's problem (502).
 */
function pageStatus(bank_status: number): number {
  return bank_status >= 400 && bank_status < 500 && bank_status !== 401 ? bank_status : 502;
}

/** Turns a thrown bank error into a failure value to show the user, in the wallet's own words; rethrows anything else. */
export function bankFailure(error: unknown): WalletFailure {
  if (error instanceof BankError) {
    // The bank's detail is written for the operator's engineers (English, with ids), never for the wallet's user.
    return walletFailure('bank_refused', bankCodeMessage(error.bank_code), { bank_code: error.bank_code, status: pageStatus(error.bank_status) });
  }
  if (error instanceof FurikaeError && error.code === 'wallet_bank_unreachable') {
    return walletFailure('wallet_bank_unreachable', '銀行から応答がありません。同じ内容でもう一度お試しください / The bank did not answer; try again with the same form');
  }
  throw error;
}
