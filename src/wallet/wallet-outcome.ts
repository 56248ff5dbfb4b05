import { errorCodes, type ErrorCode } from '../errors/error-codes.ts';

/** Why a wallet action did not happen; nothing was changed. */
export interface WalletFailure {
  ok: false;
  code: ErrorCode;
  /** Said to the user, so never a secret. */
  detail: string;
  /** The bank's own code when the bank refused (e.g. charges_yen_per_month_max_exceeded). */
  bank_code?: string;
  /** The form field at fault, for validation failures. */
  field?: string;
  /** The outcome is not known yet (the bank did not answer): submit the same form, with the same id, again. */
  retryable?: boolean;
  /** The HTTP status a page shows this with, when it differs from the registry's. */
  status?: number;
}

/** An expected outcome of a wallet action, as a value (TigerBeetle style) rather than a throw. */
export type WalletOutcome<T> = { ok: true; value: T } | WalletFailure;

/** A failure with the registry's title as its detail unless one is given. */
export function walletFailure(code: ErrorCode, detail?: string, extra: Partial<WalletFailure> = {}): WalletFailure {
  return { ...extra, ok: false, code, detail: detail ?? errorCodes[code].title };
}

/** The HTTP status a page answers a failure with. */
export function failureStatus(failure: WalletFailure): number {
  return failure.status ?? errorCodes[failure.code].status;
}
