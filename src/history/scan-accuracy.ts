import type { Database } from '../storage/database.ts';

/** How well a scan found the thefts planted in generated history, counted in charges. */
export interface ScanAccuracy {
  theft_charges: number;
  suspect_charges: number;
  /** Suspect charges that are planted thefts. */
  found: number;
  /** found ÷ theft charges in the window: the share of thefts the scan found. */
  recall: number;
  /** found ÷ suspect charges: the share of what it listed that was theft. */
  precision: number;
  /** Planted thefts (links) with at least one charge found, of those with a charge in the window. */
  theft_links_found: number;
  theft_links: number;
  /** Recall per theft variant, in charges. */
  recall_by_variant: Record<string, number>;
}

/**
 * Compares a scan's suspect charges with the thefts `furikae lab history` planted (`lab_history_thefts`): every
 * charge on a planted link is a theft. Only charges inside the scan's window and scope count.
 */
export async function measureScanAccuracy(db: Database, scan_id: string): Promise<ScanAccuracy> {
  const rows = await db.query<{ variant: string; theft_charges: number; found: number; links: number; links_found: number }>(
    `SELECT t.variant, count(*)::int AS theft_charges, count(sc.charge_id)::int AS found,
            count(DISTINCT t.link_id)::int AS links, count(DISTINCT t.link_id) FILTER (WHERE sc.charge_id IS NOT NULL)::int AS links_found
       FROM scans s
       JOIN charges c ON c.created_at >= s.from_at AND c.created_at < s.to_at AND (s.operator_id IS NULL OR c.operator_id = s.operator_id)
       JOIN lab_history_thefts t ON t.link_id = c.link_id
       LEFT JOIN scan_charges sc ON sc.scan_id = s.id AND sc.charge_id = c.id
      WHERE s.id = $1
      GROUP BY t.variant`, [scan_id]);
  const [suspects] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM scan_charges WHERE scan_id = $1`, [scan_id]);
  const theft_charges = rows.reduce((sum, row) => sum + row.theft_charges, 0);
  const found = rows.reduce((sum, row) => sum + row.found, 0);
  const suspect_charges = suspects?.n ?? 0;
  return {
    theft_charges, suspect_charges, found,
    recall: theft_charges === 0 ? 1 : found / theft_charges,
    precision: suspect_charges === 0 ? 1 : found / suspect_charges,
    theft_links: rows.reduce((sum, row) => sum + row.links, 0),
    theft_links_found: rows.reduce((sum, row) => sum + row.links_found, 0),
    recall_by_variant: Object.fromEntries(rows.map((row) => [row.variant, row.theft_charges === 0 ? 1 : row.found / row.theft_charges])),
  };
}
