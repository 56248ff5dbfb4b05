import type { Queryable } from '../storage/database.ts';
import type { SegmentQuery } from './campaign-segments.ts';

/** What a campaign needs from a retrospective scan: its customers, as SQL the enqueue statement can join. */
export interface ScanCustomers {
  /** Whether the scan exists and belongs to this incident. */
  belongsTo(tx: Queryable, scan_id: string, incident_id: string): Promise<boolean>;
  /** The scan's suspect customers as a query of distinct `customer_id`s, its parameters numbered from `$first`. */
  customersQuery(scan_id: string, first: number): SegmentQuery;
}
