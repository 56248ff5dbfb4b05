/**
 * The wallet's chart of accounts and catalogue of transfers in its own e-money ledger.
 * Balances read as credits − debits: a user's e-money is a credit balance; the bank-funding account
 * goes negative by exactly the e-money the bank has paid in (the wallet's claim on its settlement account).
 */

/** Ledger account codes. */
export const walletAccountCodes = {
  /** A wallet user's e-money: no overdraft. */
  user_emoney: 1,
  /** Money that arrived from the bank; debited by every top-up, so it may go negative. */
  bank_funding: 2,
  /** A merchant's takings from wallet payments. */
  merchant: 3,
} as const;

/** Ledger transfer codes. */
export const walletTransferCodes = {
  /** bank funding → user, after the bank confirms the charge. */
  top_up: 1,
  /** user → merchant. */
  payment: 2,
  /** user → another user. */
  send: 3,
} as const;

/** The one bank-funding account: a fixed id so every process and every restart agrees on it. */
export const BANK_FUNDING_ACCOUNT_ID = '0190a000-0000-7000-8000-000000000001';
