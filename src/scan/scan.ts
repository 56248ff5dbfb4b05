/** A scan as stored: its window, scope, configs, progress and what it found. */
export interface Scan {
  id: string;
  incident_id: string | null;
  from_date: string;
  to_date: string;
  from_at: Date;
  to_at: Date;
  operator_id: string | null;
  risk_config_id: string;
  scan_config_id: string;
  started_by: string;
  status: 'running' | 'done' | 'failed';
  chunks_total: number;
  chunks_done: number;
  customers_total: number;
  links_scanned: number;
  charges_scanned: number;
  charged_yen_scanned: number;
  suspect_links: number;
  suspect_charges: number;
  suspect_customers: number;
  suspect_yen: number;
  failure: string | null;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export const SCAN_COLUMNS = `id, incident_id, from_date::text AS from_date, to_date::text AS to_date, from_at, to_at, operator_id, risk_config_id,
  scan_config_id, started_by, status, chunks_total, chunks_done, customers_total, links_scanned, charges_scanned, charged_yen_scanned,
  suspect_links, suspect_charges, suspect_customers, suspect_yen, failure, started_at, updated_at, finished_at`;

/** What starts a scan: the window as typed, and optionally one operator (id or client_id) and an incident. */
export interface ScanRequest {
  from: string;
  to: string;
  operator?: string | null;
  incident_id?: string | null;
  /** 'cli', or the staff member's id from the console (audited). */
  started_by: { staff_id: string } | 'cli';
  /** Customers per chunk, if not the scanner's: smaller chunks report progress more often and hold less in memory. */
  customers_per_chunk?: number;
}

/** Progress after each chunk, for a bar or the console. */
export interface ScanProgress {
  scan_id: string;
  chunks_done: number;
  chunks_total: number;
  charges_scanned: number;
  suspect_charges: number;
}
