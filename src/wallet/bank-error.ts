import { FurikaeError } from '../errors/furikae-error.ts';

/**
 * The bank answered with a problem+json (or something unreadable). Carries the bank's own stable `code`
 * and status, which the wallet shows its user; to the wallet's own callers it is `bank_refused`.
 */
export class BankError extends FurikaeError {
  override name = 'BankError';
  /** The bank's `code`, e.g. insufficient_funds; `bank_response_invalid` if the answer could not be read. */
  readonly bank_code: string;
  readonly bank_status: number;
  /** The bank's human-readable detail, safe to show (the bank never puts secrets in it). */
  readonly bank_detail: string;

  constructor(bank_status: number, bank_code: string, bank_detail: string) {
    super('bank_refused', `The bank answered ${bank_status} ${bank_code}: ${bank_detail}`, { bank_code, bank_status });
    this.bank_code = bank_code;
    this.bank_status = bank_status;
    this.bank_detail = bank_detail;
  }
}
