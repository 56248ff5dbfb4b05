import type { Queryable } from '../storage/database.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import type { CampaignSegment } from './campaign.ts';
import type { ScanCustomers } from './scan-customers.ts';

/** A segment as SQL: a query of distinct `customer_id`s over `params` (numbered from `$first`). */
export interface SegmentQuery {
  sql: string;
  params: unknown[];
}

/** Who each kind of segment reaches: every link in any state counts, so a victim whose link was revoked as fraud is told too. */
const SEGMENTS: { [K in CampaignSegment['kind']]: { label: string; query: (segment: Extract<CampaignSegment, { kind: K }>, first: number, scans: ScanCustomers) => SegmentQuery } } = {
  operator: {
    label: 'customers with a link to the operator',
    query: (segment, first) => ({
      sql: `SELECT DISTINCT a.customer_id FROM links l JOIN bank_accounts a ON a.id = l.account_id WHERE l.operator_id = $${first}`,
      params: [segment.operator_id],
    }),
  },
  legacy_pin: {
    label: 'customers with a link made with account number and PIN (the 2020 path)',
    query: () => ({ sql: `SELECT DISTINCT a.customer_id FROM links l JOIN bank_accounts a ON a.id = l.account_id WHERE l.method = 'legacy_pin'`, params: [] }),
  },
  scan: {
    label: 'the customers a retrospective scan found',
    query: (segment, first, scans) => scans.customersQuery(segment.scan_id, first),
  },
};

/** A person's words for the segment's kind. */
export function segmentLabel(kind: CampaignSegment['kind']): string {
  return SEGMENTS[kind].label;
}

/** The segment's customers as SQL with parameters numbered from `$first`. */
export function segmentQuery(segment: CampaignSegment, first: number, scans: ScanCustomers): SegmentQuery {
  const entry = SEGMENTS[segment.kind] as { query: (s: CampaignSegment, f: number, scans: ScanCustomers) => SegmentQuery };
  return entry.query(segment, first, scans);
}

/**
 * Checks that what the segment names exists (operator_not_found, scan_not_found, with the scan in `incident_id`) and
 * counts its customers.
 */
export async function countSegment(tx: Queryable, segment: CampaignSegment, incident_id: string, scans: ScanCustomers): Promise<number> {
  if (segment.kind === 'operator' && (!isUuid(segment.operator_id) || (await tx.query(`SELECT 1 FROM operators WHERE id = $1`, [segment.operator_id])).length === 0)) {
    throw new FurikaeError('operator_not_found', `No operator ${segment.operator_id}`);
  }
  if (segment.kind === 'scan' && (!isUuid(segment.scan_id) || !(await scans.belongsTo(tx, segment.scan_id, incident_id)))) {
    throw new FurikaeError('scan_not_found', `No scan ${segment.scan_id} in this incident`);
  }
  const query = segmentQuery(segment, 1, scans);
  const [row] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${query.sql}) s`, query.params);
  return row?.n ?? 0;
}
