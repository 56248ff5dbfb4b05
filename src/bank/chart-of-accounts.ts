/** Ledger account codes at the bank. */
export const AccountCode = {
  /** A customer's ordinary deposit account: never overdrawn. */
  customer_deposit: 1,
  /** An operator's settlement account: receives charges, pays refunds, never overdrawn. */
  operator_settlement: 2,
  /** The bank's own cash: the other side of deposits and withdrawals; its net debit is the cash on hand. */
  bank_cash: 3,
} as const;

/** Ledger transfer codes at the bank. */
export const TransferCode = {
  deposit: 1,
  withdrawal: 2,
  charge: 10,
  refund: 11,
} as const;

/** The bank's cash account id: fixed so every process agrees without a lookup. */
export const BANK_CASH_ACCOUNT_ID = '00000000-0000-7000-8000-000000000001';
