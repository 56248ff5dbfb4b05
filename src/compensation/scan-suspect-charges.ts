import type { Queryable } from '../storage/database.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import type { ScanSuspects } from './scan-suspects.ts';

/** The retrospective scan's suspect charges (src/scan's scan_charges), for proposals made from a scan result. */
export const scanSuspectCharges: ScanSuspects = {
  async suspectCharges(tx: Queryable, { scan_id, incident_id, charge_ids }) {
    const [scan] = isUuid(scan_id) ? await tx.query<{ incident_id: string | null }>(`SELECT incident_id FROM scans WHERE id = $1`, [scan_id]) : [];
    if (!scan || scan.incident_id !== incident_id) throw new FurikaeError('scan_not_found', `No scan ${scan_id} in this incident`);
    const found = await tx.query<{ charge_id: string }>(
      `SELECT charge_id FROM scan_charges WHERE scan_id = $1 AND charge_id = ANY($2::uuid[])`, [scan_id, charge_ids.filter(isUuid)]);
    return new Set(found.map((row) => row.charge_id));
  },
};
