import { BankError } from './bank-error.ts';
import { bankFailure } from './bank-failure.ts';
import { walletFailure, type WalletFailure } from './wallet-outcome.ts';

/** What openid-client throws for an OAuth error answer: the `error` code, and its description when given. */
interface OAuthErrorLike {
  error: string;
  error_description?: string;
}

function isOAuthError(error: unknown): error is OAuthErrorLike {
  return typeof error === 'object' && error !== null && typeof (error as { error?: unknown }).error === 'string';
}

/** A dropped connection (fetch's TypeError) or a time-out: the bank may not have seen the request at all. */
export function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'TimeoutError' || error.name === 'AbortError' || (error instanceof TypeError && /fetch failed/i.test(error.message));
}

/**
 * Turns what a call to the bank's authorization server threw into a failure to show: an OAuth error answer
 * (invalid_grant, invalid_client, invalid_request…) is wallet_bank_authorization_failed with that code; no
 * answer is wallet_bank_unreachable; a bank API refusal keeps its own code.
 */
export function fapiFailure(error: unknown): WalletFailure {
  if (error instanceof BankError) return bankFailure(error);
  if (isOAuthError(error)) {
    // error_description is the bank's, for engineers (the callers log the code): the user gets the code as a reference.
    return walletFailure(
      'wallet_bank_authorization_failed',
      `銀行の認可サーバーが要求を受け付けませんでした。しばらくしてからもう一度お試しください / The bank's authorization server refused the request; try again later（参照コード / Reference: ${error.error}）`,
      { bank_code: error.error },
    );
  }
  if (isNetworkFailure(error)) {
    return walletFailure('wallet_bank_unreachable', '銀行から応答がありません。もう一度お試しください / The bank did not answer; try again');
  }
  return walletFailure('wallet_bank_authorization_failed', '銀行との認可に失敗しました。しばらくしてからもう一度お試しください / The authorization with the bank failed; try again later');
}
