import type { Queryable } from '../storage/database.ts';

/** What compensation needs from a retrospective scan: which of some charges the scan found suspect. */
export interface ScanSuspects {
  /**
   * The ids among `charge_ids` that the scan listed as suspect charges. Throws scan_not_found when there is no such
   * scan, or it belongs to another incident.
   */
  suspectCharges(tx: Queryable, query: { scan_id: string; incident_id: string; charge_ids: readonly string[] }): Promise<Set<string>>;
}
