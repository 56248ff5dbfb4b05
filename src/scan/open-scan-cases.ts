import type { Database } from '../storage/database.ts';
import type { CaseStore } from '../cases/case-store.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { assert } from '../shared/assert.ts';
import { formatYen } from '../shared/yen.ts';
import { isUuid } from '../ledger/is-uuid.ts';

/** Cases one bulk opening makes: a page of suspects; a larger campaign is several clicks, each audited. */
export const SCAN_CASES_PER_OPENING_MAX = 200;

/** What a bulk opening did. */
export type OpenScanCasesOutcome =
  | { outcome: 'done'; opened: number; already_open: number; case_ids: string[] }
  | { outcome: 'not_found' };

/**
 * Opens a fraud review for each chosen suspect link of a scan (or its highest-scoring ones), with the link's suspect
 * charges, in one transaction with one audit entry. A link that already has a case from this scan keeps it, so
 * opening twice never opens two.
 */
export async function openScanCases(
  { db, cases, audit }: { db: Database; cases: Pick<CaseStore, 'openCase'>; audit: Pick<AuditLog, 'append'> },
  input: { scan_id: string; link_ids: readonly string[] | 'top'; staff_id: string },
): Promise<OpenScanCasesOutcome> {
  if (!isUuid(input.scan_id)) return { outcome: 'not_found' };
  const chosen = input.link_ids === 'top' ? null : input.link_ids.filter(isUuid);
  assert(chosen === null || chosen.length <= SCAN_CASES_PER_OPENING_MAX, `at most ${SCAN_CASES_PER_OPENING_MAX} links per opening (checked by the caller)`);
  return db.transaction(async (tx) => {
    const [scan] = await tx.query<{ from_date: string; to_date: string }>(
      `SELECT from_date::text AS from_date, to_date::text AS to_date FROM scans WHERE id = $1 FOR UPDATE`, [input.scan_id]);
    if (!scan) return { outcome: 'not_found' as const };
    const links = await tx.query<{ link_id: string; customer_id: string; operator_id: string; operator_name: string; score: number; reasons: string[];
      charged_yen: number; case_id: string | null; charge_ids: string[] }>(
      `SELECT s.link_id, s.customer_id, s.operator_id, o.display_name AS operator_name, s.score, s.reasons, s.charged_yen, s.case_id,
              ARRAY(SELECT sc.charge_id FROM scan_charges sc WHERE sc.scan_id = s.scan_id AND sc.link_id = s.link_id ORDER BY sc.charged_at) AS charge_ids
         FROM scan_links s JOIN operators o ON o.id = s.operator_id
        WHERE s.scan_id = $1 AND ($2::uuid[] IS NULL OR s.link_id = ANY($2::uuid[]))
        ORDER BY s.score DESC, s.link_id LIMIT $3`,
      [input.scan_id, chosen, SCAN_CASES_PER_OPENING_MAX]);
    const case_ids: string[] = [];
    let already_open = 0;
    for (const link of links) {
      if (link.case_id) {
        already_open += 1;
        continue;
      }
      const case_id = await cases.openCase(tx, {
        kind: 'fraud_review', opened_by: `staff:${input.staff_id}`,
        summary: `遡及スキャン ${scan.from_date}〜${scan.to_date}: ${link.operator_name} 連携 score ${link.score}, ${formatYen(link.charged_yen)} — ${link.reasons.slice(0, 6).join(', ')}`.slice(0, 500),
        customer_id: link.customer_id, link_id: link.link_id, operator_id: link.operator_id, charge_ids: link.charge_ids,
      });
      await tx.query(`UPDATE scan_links SET case_id = $3 WHERE scan_id = $1 AND link_id = $2`, [input.scan_id, link.link_id, case_id]);
      case_ids.push(case_id);
    }
    if (case_ids.length > 0) {
      await audit.append(tx, { staff_id: input.staff_id, action: 'scan.open_cases', subject: input.scan_id, details: { case_ids, already_open } });
    }
    return { outcome: 'done' as const, opened: case_ids.length, already_open, case_ids };
  });
}
