import type { Queryable } from '../storage/database.ts';
import { CUSTOMERS_IN_SCAN_SQL } from '../scan/scan-read-api.ts';
import type { ScanCustomers } from './scan-customers.ts';

/** "The customers in scan S" as a campaign segment, from the scan's own definition of its customers (src/scan). */
export const scanSegment: ScanCustomers = {
  async belongsTo(tx: Queryable, scan_id, incident_id) {
    const [scan] = await tx.query<{ incident_id: string | null; status: string }>(`SELECT incident_id, status FROM scans WHERE id = $1`, [scan_id]);
    return scan !== undefined && scan.incident_id === incident_id;
  },
  customersQuery(scan_id, first) {
    return { sql: CUSTOMERS_IN_SCAN_SQL.replaceAll('$1', `$${first}`), params: [scan_id] };
  },
};
