/** proposed: waiting for a checker; approved: to be paid; paid: the money moved; rejected: by a checker (its charges freed). */
export type CompensationStatus = 'proposed' | 'approved' | 'paid' | 'rejected';

/** Where a proposal came from. */
export type CompensationSource = { kind: 'case'; case_id: string } | { kind: 'scan'; scan_id: string };

/** A compensation as stored. */
export interface Compensation {
  id: string;
  incident_id: string;
  customer_id: string;
  account_id: string;
  operator_id: string;
  source: 'case' | 'scan';
  case_id: string | null;
  scan_id: string | null;
  amount_yen: number;
  operator_share_percent: number;
  operator_yen: number;
  bank_yen: number;
  status: CompensationStatus;
  proposed_at: Date;
  proposed_by: string;
  note: string | null;
  approved_at: Date | null;
  approved_by: string | null;
  rejected_at: Date | null;
  rejected_by: string | null;
  rejection_reason: string | null;
  paid_at: Date | null;
  operator_transfer_id: string;
  bank_transfer_id: string;
  payout_transfer_id: string;
  payment_error: string | null;
}

/** One charge in a compensation and how much of it is made good. */
export interface CompensationLine {
  charge_id: string;
  amount_yen: number;
}

export const COMPENSATION_COLUMNS = `id, incident_id, customer_id, account_id, operator_id, source, case_id, scan_id, amount_yen,
  operator_share_percent, operator_yen, bank_yen, status, proposed_at, proposed_by, note, approved_at, approved_by, rejected_at,
  rejected_by, rejection_reason, paid_at, operator_transfer_id, bank_transfer_id, payout_transfer_id, payment_error`;

/** What the customer's passbook shows for a compensation: 不正利用補償 and the operator's own label. */
export function compensationPassbookLabel(operator_passbook_label: string): string {
  return `不正利用補償 ${operator_passbook_label}`;
}
