/** What raised an alert. New kinds go here, so the console can label them. */
export const ALERT_KINDS = [
  'risk_hold', // the risk pipeline held a charge for staff review
  'risk_deny', // the risk pipeline denied a charge
  'risk_challenge', // the risk pipeline asked the customer to step up
  'risk_link', // the risk pipeline flagged a new link
  'credential_reverse_brute_force', // one PIN tried across many accounts
  'credential_operator_failure_rate', // an operator's users failing far beyond typos
  'credential_account_failures', // one staff login or operator secret failing again and again
  'credential_legacy_pin_locks', // legacy PIN locks through one operator from one source, counted on one alert
  'credential_login_locked', // a customer's internet-banking login locked after wrong passwords
  'credential_operator_contained', // the bank suspended an operator's new links itself after a reverse brute force through it
  'second_factor_locked', // a customer's SMS or authenticator factor locked after wrong codes
  'passkey_counter_regressed', // a passkey's signature counter went backwards: the authenticator may be cloned
  'risk_challenge_expired', // a challenged charge ran out without the customer approving it
  'not_me', // the customer said "this wasn't me"
  'operator_contained', // the bank contained an operator itself: far above its own history
  'operator_source_refused', // an operator's credentials used from an address it did not register
  'sim_swap_detected', // SMS refused for money or a new factor: the carrier reports the customer's SIM swapped recently
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_SEVERITIES = ['low', 'medium', 'high'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** open: nobody has looked; acknowledged: someone is looking; closed: done (dismissed or its case resolved). */
export type AlertStatus = 'open' | 'acknowledged' | 'closed';

/** An alert as stored. */
export interface Alert {
  id: string;
  at: Date;
  kind: AlertKind;
  severity: AlertSeverity;
  summary: string | null;
  customer_id: string | null;
  link_id: string | null;
  charge_id: string | null;
  operator_id: string | null;
  reason_codes: string[];
  details: Record<string, unknown>;
  status: AlertStatus;
  status_changed_at: Date | null;
  status_changed_by: string | null;
  case_id: string | null;
}

/** What a caller raises; the store fills in the id (unless given, for idempotency), the time and the status. */
export interface NewAlert {
  /** A client-made id: raising the same id twice keeps the first. */
  id?: string;
  kind: AlertKind;
  severity?: AlertSeverity;
  summary?: string;
  customer_id?: string | null;
  link_id?: string | null;
  charge_id?: string | null;
  operator_id?: string | null;
  reason_codes?: readonly string[];
  details?: Record<string, unknown>;
  /** Defaults to the store's clock. */
  at?: Date;
}

export const ALERT_COLUMNS = `id, at, kind, severity, summary, customer_id, link_id, charge_id, operator_id, reason_codes, details,
  status, status_changed_at, status_changed_by, case_id`;
