/** Ledger account codes at the bank. */
export const AccountCode = {
  /** A customer's ordinary deposit account: never overdrawn. */
  customer_deposit: 1,
  /** An operator's settlement account: receives charges, pays refunds and its share of compensation, never overdrawn. */
  operator_settlement: 2,
  /** The bank's own cash: the other side of deposits and withdrawals; its net debit is the cash on hand. */
  bank_cash: 3,
  /** The bank's fraud losses: debited by the bank's share of every compensation paid; its net debit is what fraud cost the bank. */
  bank_fraud_loss: 4,
  /**
   * Passes a compensation through, so the customer's passbook shows one line for the whole amount: the operator's
   * and the bank's shares come in, the total goes out, in one transaction. Never overdrawn, so a payout can never
   * exceed what its shares brought in; it holds zero between payments.
   */
  compensation_clearing: 5,
} as const;

/** Ledger transfer codes at the bank. */
export const TransferCode = {
  deposit: 1,
  withdrawal: 2,
  charge: 10,
  refund: 11,
  /** One leg of a compensation (a share into clearing, or the payout to the customer); user_data is the compensation id. */
  compensation: 12,
} as const;

/** The bank's cash account id: fixed so every process agrees without a lookup. */
export const BANK_CASH_ACCOUNT_ID = '00000000-0000-7000-8000-000000000001';
/** The bank's fraud-loss account id: fixed, as the cash account's. */
export const BANK_FRAUD_LOSS_ACCOUNT_ID = '00000000-0000-7000-8000-000000000002';
/** The compensation clearing account id: fixed, as the cash account's. */
export const COMPENSATION_CLEARING_ACCOUNT_ID = '00000000-0000-7000-8000-000000000003';
