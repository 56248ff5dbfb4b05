/** An incident's stages, in the only order it moves through them. */
export const INCIDENT_STATUSES = ['open', 'contained', 'remediated', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** A named incident: what happened, to which operators over which period, where it stands and who owns it. */
export interface Incident {
  id: string;
  title: string;
  /** The operators involved; empty means every operator. */
  operator_ids: string[];
  /** Japan dates, YYYY-MM-DD, both included. */
  period_from: string;
  period_to: string;
  status: IncidentStatus;
  owner_staff_id: string;
  opened_at: Date;
  opened_by: string;
  status_changed_at: Date;
  closed_at: Date | null;
}

/** What staff give to open an incident. */
export interface NewIncident {
  title: string;
  operator_ids: readonly string[];
  period_from: string;
  period_to: string;
  /** Defaults to whoever opens it. */
  owner_staff_id?: string;
}

export const INCIDENT_COLUMNS = `id, title, operator_ids, period_from::text AS period_from, period_to::text AS period_to, status,
  owner_staff_id, opened_at, opened_by, status_changed_at, closed_at`;

/** The stage after `status`, or undefined once closed. */
export function nextIncidentStatus(status: IncidentStatus): IncidentStatus | undefined {
  return INCIDENT_STATUSES[INCIDENT_STATUSES.indexOf(status) + 1];
}
