import type { Database } from '../storage/database.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import { SCAN_COLUMNS, type Scan } from './scan.ts';

/** Rows one page of suspects shows: a screenful; the CSV has them all. */
export const SUSPECTS_PAGE_MAX = 200;
/** Scans one listing returns. */
export const SCANS_LISTED_MAX = 100;

/** What a scan found, by kind. */
export type SuspectKind = 'links' | 'charges' | 'customers';
export const SUSPECT_KINDS: readonly SuspectKind[] = ['links', 'charges', 'customers'];

/** Columns each kind of suspect may be sorted by, as the console names them → the SQL they sort. */
export const SUSPECT_SORTS = {
  links: { score: 's.score', yen: 's.charged_yen', charges: 's.charges_count', time: 's.linked_at', operator: 'o.display_name', customer: 'c.name_kana' },
  charges: { score: 's.score', yen: 's.amount_yen', time: 's.charged_at', operator: 'o.display_name', customer: 'c.name_kana' },
  customers: { score: 's.score', yen: 's.charged_yen', charges: 's.charges_count', links: 's.links_count', customer: 'c.name_kana' },
} as const satisfies Record<SuspectKind, Record<string, string>>;

/** A suspect row as read, whichever kind: the kind's own columns plus names for people. */
export interface SuspectRow {
  customer_id: string;
  customer_name: string;
  score: number;
  reasons: string[];
  link_id?: string;
  charge_id?: string;
  operator_id?: string;
  operator_name?: string;
  method?: string;
  linked_at?: Date;
  charged_at?: Date;
  amount_yen?: number;
  decision?: string;
  charges_count?: number;
  charged_yen?: number;
  links_count?: number;
  case_id?: string | null;
}

/** One operator's month: everything scanned, and the suspect part. */
export interface ScanTotal {
  operator_id: string;
  operator_name: string;
  /** YYYY-MM. */
  month: string;
  charges_scanned: number;
  charged_yen: number;
  suspect_charges: number;
  suspect_yen: number;
}

/** A charge a case covers, with what was refunded of it: what compensation starts from. */
export interface CaseCharge {
  charge_id: string;
  link_id: string;
  operator_id: string;
  account_id: string;
  amount_yen: number;
  refunded_yen: number;
  status: string;
  charged_at: Date;
}

/**
 * `SELECT customer_id FROM …` for the customers a scan found, with the scan's id as `$1`: for a set-based campaign
 * segment ("the customers in scan S") without reading them into a process.
 */
export const CUSTOMERS_IN_SCAN_SQL = `SELECT customer_id FROM scan_customers WHERE scan_id = $1`;

const FROM = {
  links: `scan_links s JOIN operators o ON o.id = s.operator_id JOIN customers c ON c.id = s.customer_id`,
  charges: `scan_charges s JOIN operators o ON o.id = s.operator_id JOIN customers c ON c.id = s.customer_id`,
  customers: `scan_customers s JOIN customers c ON c.id = s.customer_id`,
} as const;
const COLUMNS = {
  links: `s.link_id, s.customer_id, c.name_kanji AS customer_name, s.operator_id, o.display_name AS operator_name, s.method, s.linked_at, s.score,
          s.reasons, s.decision, s.charges_count, s.charged_yen, s.case_id`,
  charges: `s.charge_id, s.link_id, s.customer_id, c.name_kanji AS customer_name, s.operator_id, o.display_name AS operator_name, s.amount_yen,
            s.charged_at, s.score, s.reasons, s.decision`,
  customers: `s.customer_id, c.name_kanji AS customer_name, s.score, s.reasons, s.links_count, s.charges_count, s.charged_yen`,
} as const;

/**
 * Reads scans and what they found: for the console, the CLI, and incidents (src/incidents uses listScans by
 * incident, suspects and totals for its report, CUSTOMERS_IN_SCAN_SQL for a campaign segment, and chargesOfCase
 * for compensation). Every read takes ids that may be anything: a non-UUID finds nothing.
 */
export function createScanReader(db: Database) {
  return {
    async getScan(scan_id: string): Promise<Scan | undefined> {
      if (!isUuid(scan_id)) return undefined;
      const [row] = await db.query<Scan>(`SELECT ${SCAN_COLUMNS} FROM scans WHERE id = $1`, [scan_id]);
      return row;
    },

    /** Scans, newest first; only an incident's when `incident_id` is given. */
    async listScans(filter: { incident_id?: string; limit?: number } = {}): Promise<Scan[]> {
      if (filter.incident_id !== undefined && !isUuid(filter.incident_id)) return [];
      return db.query<Scan>(
        `SELECT ${SCAN_COLUMNS} FROM scans WHERE $1::uuid IS NULL OR incident_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2`,
        [filter.incident_id ?? null, Math.max(1, Math.min(filter.limit ?? SCANS_LISTED_MAX, SCANS_LISTED_MAX))]);
    },

    /**
     * One page of a scan's suspects of one kind, sorted by a column the kind allows (score, newest or largest first
     * by default) with the id as tie-break, and how many there are in all.
     */
    async suspects(scan_id: string, kind: SuspectKind, page: { sort?: string; direction?: 'asc' | 'desc'; limit?: number; offset?: number } = {}): Promise<{ rows: SuspectRow[]; total: number }> {
      if (!isUuid(scan_id)) return { rows: [], total: 0 };
      const sorts: Record<string, string> = SUSPECT_SORTS[kind];
      const sort = sorts[page.sort ?? 'score'] ?? sorts.score!;
      const direction = page.direction === 'asc' ? 'ASC' : 'DESC';
      const tie = kind === 'links' ? 's.link_id' : kind === 'charges' ? 's.charge_id' : 's.customer_id';
      const limit = Math.max(1, Math.min(page.limit ?? SUSPECTS_PAGE_MAX, SUSPECTS_PAGE_MAX));
      const offset = Math.max(0, Math.floor(page.offset ?? 0));
      const [rows, [count]] = await Promise.all([
        db.query<SuspectRow>(`SELECT ${COLUMNS[kind]} FROM ${FROM[kind]} WHERE s.scan_id = $1 ORDER BY ${sort} ${direction}, ${tie} LIMIT $2 OFFSET $3`,
          [scan_id, limit, offset]),
        db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${FROM[kind]} WHERE s.scan_id = $1`, [scan_id]),
      ]);
      return { rows, total: count?.n ?? 0 };
    },

    /** Every suspect of one kind, in pages, for an export: oldest-first ids keep the pages stable. */
    async *allSuspects(scan_id: string, kind: SuspectKind): AsyncGenerator<SuspectRow> {
      if (!isUuid(scan_id)) return;
      const tie = kind === 'links' ? 's.link_id' : kind === 'charges' ? 's.charge_id' : 's.customer_id';
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const rows = await db.query<SuspectRow & { key: string }>(
          `SELECT ${COLUMNS[kind]}, ${tie}::text AS key FROM ${FROM[kind]} WHERE s.scan_id = $1 AND ${tie} > $2 ORDER BY ${tie} LIMIT $3`,
          [scan_id, after, SUSPECTS_PAGE_MAX * 10]);
        for (const row of rows) yield row;
        if (rows.length < SUSPECTS_PAGE_MAX * 10) return;
        after = rows.at(-1)!.key;
      }
    },

    /** Totals per operator and month, oldest month first. */
    async totals(scan_id: string): Promise<ScanTotal[]> {
      if (!isUuid(scan_id)) return [];
      return db.query<ScanTotal>(
        `SELECT t.operator_id, o.display_name AS operator_name, to_char(t.month, 'YYYY-MM') AS month, t.charges_scanned, t.charged_yen,
                t.suspect_charges, t.suspect_yen
           FROM scan_totals t JOIN operators o ON o.id = t.operator_id WHERE t.scan_id = $1 ORDER BY t.month, o.display_name`, [scan_id]);
    },

    /** The customers a scan found (for a campaign segment of modest size; CUSTOMERS_IN_SCAN_SQL for a large one). */
    async customerIds(scan_id: string): Promise<string[]> {
      if (!isUuid(scan_id)) return [];
      return (await db.query<{ customer_id: string }>(`${CUSTOMERS_IN_SCAN_SQL} ORDER BY customer_id`, [scan_id])).map((row) => row.customer_id);
    },

    /** The charges a case covers (those it was opened with), with refunds so far: what compensation may pay back. */
    async chargesOfCase(case_id: string): Promise<CaseCharge[]> {
      if (!isUuid(case_id)) return [];
      return db.query<CaseCharge>(
        `SELECT c.id AS charge_id, c.link_id, c.operator_id, c.account_id, c.amount_yen, c.refunded_yen, c.status, c.created_at AS charged_at
           FROM cases k JOIN charges c ON c.id = ANY(k.charge_ids) WHERE k.id = $1 ORDER BY c.created_at, c.id`, [case_id]);
    },
  };
}

export type ScanReader = ReturnType<typeof createScanReader>;
