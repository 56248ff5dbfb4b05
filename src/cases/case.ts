/** A fraud review starts from alerts; a dispute from a customer's "this wasn't me". */
export type CaseKind = 'fraud_review' | 'dispute';
export type CaseStatus = 'open' | 'resolved';
export type CaseResolution = 'fraud' | 'legitimate';

/** A case as stored. */
export interface Case {
  id: string;
  opened_at: Date;
  kind: CaseKind;
  /** 'system', 'customer' or 'staff:<staff id>'. */
  opened_by: string;
  summary: string;
  customer_id: string | null;
  link_id: string | null;
  operator_id: string | null;
  charge_ids: string[];
  status: CaseStatus;
  assignee_staff_id: string | null;
  resolution: CaseResolution | null;
  resolved_at: Date | null;
  resolved_by: string | null;
}

/** What a caller opens; the store fills in the id (unless given, for idempotency), the time and the status. */
export interface NewCase {
  /** A client-made id: opening the same id twice keeps the first. */
  id?: string;
  kind: CaseKind;
  summary: string;
  opened_by?: 'system' | 'customer' | `staff:${string}`;
  customer_id?: string | null;
  link_id?: string | null;
  operator_id?: string | null;
  charge_ids?: readonly string[];
  /** Alerts this case takes over (those not already in another case). */
  alert_ids?: readonly string[];
}

/** A staff member's note on a case. */
export interface CaseNote {
  id: string;
  case_id: string;
  at: Date;
  staff_id: string;
  staff_name: string;
  text: string;
}

export const CASE_COLUMNS = `id, opened_at, kind, opened_by, summary, customer_id, link_id, operator_id, charge_ids, status,
  assignee_staff_id, resolution, resolved_at, resolved_by`;
