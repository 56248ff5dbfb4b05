import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { RiskPipeline } from '../risk/risk-pipeline.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { assert } from '../shared/assert.ts';
import { isUuid } from '../ledger/is-uuid.ts';
import { DEFAULT_SCAN_CONFIG } from './default-scan-config.ts';
import type { ScanConfig } from './scan-config.ts';
import { createScanTypology } from './scan-typology.ts';
import { parseScanWindow } from './scan-window.ts';
import { loadChunkData, SCAN_LOOKAHEAD_MS, type ChunkData, type ChunkRange } from './scan-chunk-data.ts';
import { evaluateChunk, type ChunkResult, type MonthTotal } from './evaluate-chunk.ts';
import { SCAN_COLUMNS, type Scan, type ScanProgress, type ScanRequest } from './scan.ts';

/**
 * Customers per chunk: at ten charges a customer about 200,000 ledger lines, a few tens of MB while evaluated, and
 * progress every second or two at full size. Everything about a customer is in one chunk, so no state crosses chunks.
 */
export const SCAN_CUSTOMERS_PER_CHUNK = 20_000;
/** A running scan with no progress for this long belongs to a process that stopped: it is marked failed, so another may start. */
export const SCAN_STALE_MS = 10 * 60 * 1000;
/** The largest chunk a request may ask for: a million customers' ledger in memory at once would not fit. */
export const SCAN_CUSTOMERS_PER_CHUNK_MAX = 100_000;
/** Suspect rows per INSERT: one jsonb parameter each, well under a statement's comfortable size. */
export const SUSPECT_ROWS_PER_INSERT = 2_000;
/** Longest failure message kept on the scan row (the column's limit). */
const FAILURE_CHARS_MAX = 500;

export interface ScannerDeps {
  db: Database;
  clock: Clock;
  ids: Ids;
  log: Logger;
  /** Today's real-time rules, as the bank runs them (src/risk). */
  pipeline: RiskPipeline;
  /** Records who started a scan from the console. */
  audit: AuditLog;
  scan_config?: ScanConfig;
  customers_per_chunk?: number;
}

/** A scan that has been started: its row as first written, and its end (the row when done or failed). */
export interface StartedScan {
  scan: Scan;
  finished: Promise<Scan>;
}

function* batches<T>(rows: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < rows.length; start += size) yield rows.slice(start, start + size);
}

/**
 * Retrospective scans: checks the request, records the scan, and runs it chunk by chunk over the customers (reading
 * the next chunk while the current one is evaluated), writing each chunk's suspects and progress in one transaction
 * and the totals at the end. One scan runs at a time.
 */
export function createScanner({ db, clock, ids, log, pipeline, audit, scan_config = DEFAULT_SCAN_CONFIG, customers_per_chunk = SCAN_CUSTOMERS_PER_CHUNK }: ScannerDeps) {
  const typology = createScanTypology(scan_config);
  const running = new Set<Promise<Scan>>();
  let stopping = false;
  const drain = scan_config.rules['drain-after-link@1'] as { drain_seconds_max?: number } | undefined;
  assert(!drain?.drain_seconds_max || drain.drain_seconds_max * 1000 <= SCAN_LOOKAHEAD_MS, 'the drain period fits in the scan look-ahead');
  assert(Number.isSafeInteger(customers_per_chunk) && customers_per_chunk > 0, 'customers per chunk is a positive integer');

  async function resolveOperator(operator: string | null | undefined): Promise<string | null> {
    if (operator === undefined || operator === null || operator === '') return null;
    const [found] = await db.query<{ id: string }>(
      isUuid(operator) ? `SELECT id FROM operators WHERE id = $1` : `SELECT id FROM operators WHERE client_id = $1`, [operator]);
    if (!found) throw new FurikaeError('scan_operator_unknown', `No operator ${JSON.stringify(operator.slice(0, 80))}`);
    return found.id;
  }

  async function checkIncident(incident_id: string | null | undefined): Promise<string | null> {
    if (incident_id === undefined || incident_id === null || incident_id === '') return null;
    if (!isUuid(incident_id)) throw new FurikaeError('scan_incident_unknown', 'An incident id is a UUID');
    // Incidents live in their own module; until its table exists, an id is kept as given.
    const [table] = await db.query<{ present: boolean }>(`SELECT to_regclass('incidents') IS NOT NULL AS present`);
    if (table?.present) {
      const [found] = await db.query(`SELECT 1 FROM incidents WHERE id = $1`, [incident_id]);
      if (!found) throw new FurikaeError('scan_incident_unknown', `No incident ${incident_id}`);
    }
    return incident_id;
  }

  async function chunkRanges(tx: Queryable, operator_id: string | null, chunk: number): Promise<{ ranges: ChunkRange[]; customers_total: number }> {
    const scope = `EXISTS (SELECT 1 FROM bank_accounts a JOIN links l ON l.account_id = a.id WHERE a.customer_id = c.id AND l.operator_id = $2)`;
    const lowers = await tx.query<{ id: string; total: number }>(
      `SELECT id, total::int FROM (SELECT c.id, row_number() OVER (ORDER BY c.id) AS n, count(*) OVER () AS total
                          FROM customers c WHERE $2::uuid IS NULL OR ${scope}) s
        WHERE (n - 1) % $1 = 0 ORDER BY id`,
      [chunk, operator_id],
    );
    const ranges = lowers.map((row, index) => ({ lower: row.id, upper: lowers[index + 1]?.id ?? null }));
    return { ranges, customers_total: lowers[0]?.total ?? 0 };
  }

  /** Inserts rows given as one jsonb array ($1) for the scan ($2), in batches. */
  async function insertRows(tx: Queryable, sql: string, rows: readonly object[], scan_id: string): Promise<void> {
    for (const batch of batches(rows, SUSPECT_ROWS_PER_INSERT)) await tx.query(sql, [JSON.stringify(batch), scan_id]);
  }

  async function writeChunk(scan_id: string, result: ChunkResult, chunks_done: number): Promise<void> {
    await db.transaction(async (tx) => {
      await insertRows(tx,
        `INSERT INTO scan_charges (scan_id, charge_id, link_id, customer_id, operator_id, amount_yen, charged_at, score, reasons, decision)
         SELECT $2::uuid, t.charge_id, t.link_id, t.customer_id, t.operator_id, t.amount_yen, to_timestamp(t.charged_ms / 1000.0), t.score,
                ARRAY(SELECT jsonb_array_elements_text(t.reasons)), t.decision
           FROM jsonb_to_recordset($1::jsonb) AS t (charge_id uuid, link_id uuid, customer_id uuid, operator_id uuid, amount_yen int8,
                charged_ms int8, score int, reasons jsonb, decision text)`, result.suspect_charges, scan_id);
      await insertRows(tx,
        `INSERT INTO scan_links (scan_id, link_id, customer_id, operator_id, method, linked_at, score, reasons, decision, charges_count, charged_yen)
         SELECT $2::uuid, t.link_id, t.customer_id, t.operator_id, t.method, to_timestamp(t.linked_ms / 1000.0), t.score,
                ARRAY(SELECT jsonb_array_elements_text(t.reasons)), t.decision, t.charges_count, t.charged_yen
           FROM jsonb_to_recordset($1::jsonb) AS t (link_id uuid, customer_id uuid, operator_id uuid, method text, linked_ms int8, score int,
                reasons jsonb, decision text, charges_count int, charged_yen int8)`, result.suspect_links, scan_id);
      await insertRows(tx,
        `INSERT INTO scan_customers (scan_id, customer_id, score, reasons, links_count, charges_count, charged_yen)
         SELECT $2::uuid, t.customer_id, t.score, ARRAY(SELECT jsonb_array_elements_text(t.reasons)), t.links_count, t.charges_count, t.charged_yen
           FROM jsonb_to_recordset($1::jsonb) AS t (customer_id uuid, score int, reasons jsonb, links_count int, charges_count int, charged_yen int8)`,
        result.suspect_customers, scan_id);
      const suspectYen = result.suspect_charges.reduce((sum, charge) => sum + charge.amount_yen, 0);
      await tx.query(
        `UPDATE scans SET chunks_done = $2, links_scanned = links_scanned + $3, charges_scanned = charges_scanned + $4,
                charged_yen_scanned = charged_yen_scanned + $5, suspect_links = suspect_links + $6, suspect_charges = suspect_charges + $7,
                suspect_customers = suspect_customers + $8, suspect_yen = suspect_yen + $9, updated_at = $10
          WHERE id = $1`,
        [scan_id, chunks_done, result.links_scanned, result.charges_scanned, result.charged_yen_scanned, result.suspect_links.length,
          result.suspect_charges.length, result.suspect_customers.length, suspectYen, clock.now()]);
    });
  }

  async function getScan(scan_id: string): Promise<Scan> {
    const [row] = await db.query<Scan>(`SELECT ${SCAN_COLUMNS} FROM scans WHERE id = $1`, [scan_id]);
    assert(row, `scan ${scan_id} exists`);
    return row;
  }

  async function run(scan: Scan, ranges: ChunkRange[], onProgress: (progress: ScanProgress) => void): Promise<Scan> {
    const scope = { from_at: scan.from_at, to_at: scan.to_at, operator_id: scan.operator_id };
    const context = { pipeline, typology, from_ms: scan.from_at.getTime(), to_ms: scan.to_at.getTime(), operator_id: scan.operator_id };
    const totals = new Map<string, MonthTotal>();
    let charges_scanned = 0;
    let suspect_charges = 0;
    try {
      // Read ahead: the database prepares chunk k+1 while this process evaluates chunk k.
      const load = (index: number): Promise<ChunkData> | undefined => {
        const range = ranges[index];
        if (!range) return undefined;
        const loading = loadChunkData(db, range, scope);
        loading.catch(() => undefined); // awaited below; this only stops an early rejection counting as unhandled
        return loading;
      };
      let next = load(0);
      for (let index = 0; index < ranges.length; index += 1) {
        if (stopping) throw new Error('stopped: the process running it shut down; start the scan again');
        const data = await next!;
        next = load(index + 1);
        const result = evaluateChunk(data, context);
        for (const total of result.totals) {
          const key = `${total.operator_id}|${total.month_key}`;
          const sum = totals.get(key);
          if (!sum) totals.set(key, { ...total });
          else {
            sum.charges_scanned += total.charges_scanned;
            sum.charged_yen += total.charged_yen;
            sum.suspect_charges += total.suspect_charges;
            sum.suspect_yen += total.suspect_yen;
          }
        }
        await writeChunk(scan.id, result, index + 1);
        charges_scanned += result.charges_scanned;
        suspect_charges += result.suspect_charges.length;
        onProgress({ scan_id: scan.id, chunks_done: index + 1, chunks_total: ranges.length, charges_scanned, suspect_charges });
      }
      await db.transaction(async (tx) => {
        const rows = [...totals.values()].map((total) => ({
          ...total, month: `${Math.floor(total.month_key / 100)}-${String(total.month_key % 100).padStart(2, '0')}-01`,
        }));
        await insertRows(tx,
          `INSERT INTO scan_totals (scan_id, operator_id, month, charges_scanned, charged_yen, suspect_charges, suspect_yen)
           SELECT $2::uuid, t.operator_id, t.month, t.charges_scanned, t.charged_yen, t.suspect_charges, t.suspect_yen
             FROM jsonb_to_recordset($1::jsonb) AS t (operator_id uuid, month date, charges_scanned int, charged_yen int8, suspect_charges int, suspect_yen int8)`,
          rows, scan.id);
        await tx.query(`UPDATE scans SET status = 'done', finished_at = $2, updated_at = $2 WHERE id = $1`, [scan.id, clock.now()]);
      });
    } catch (error) {
      log.error({ err: error, scan_id: scan.id }, 'scan failed');
      const message = (error instanceof Error ? error.message : String(error)).slice(0, FAILURE_CHARS_MAX) || 'failed';
      await db.query(`UPDATE scans SET status = 'failed', failure = $2, finished_at = $3, updated_at = $3 WHERE id = $1 AND status = 'running'`,
        [scan.id, message, clock.now()]).catch((reason: unknown) => log.error({ err: reason, scan_id: scan.id }, 'could not mark the scan failed'));
    }
    return getScan(scan.id);
  }

  return {
    scan_config_id: scan_config.id,

    /**
     * Checks the request (window, operator, incident: FurikaeError, nothing written), records the scan and starts
     * it. Resolves once the scan is recorded; `finished` resolves with the scan's final row, done or failed.
     */
    async start(request: ScanRequest, onProgress: (progress: ScanProgress) => void = () => undefined): Promise<StartedScan> {
      const window = parseScanWindow(request.from, request.to);
      const chunk = request.customers_per_chunk ?? customers_per_chunk;
      if (!Number.isSafeInteger(chunk) || chunk < 1 || chunk > SCAN_CUSTOMERS_PER_CHUNK_MAX) {
        throw new FurikaeError('validation_failed', `Customers per chunk is a whole number from 1 to ${SCAN_CUSTOMERS_PER_CHUNK_MAX}`);
      }
      const operator_id = await resolveOperator(request.operator);
      const incident_id = await checkIncident(request.incident_id);
      const scan_id = ids.next();
      const started_by = request.started_by === 'cli' ? 'cli' : `staff:${request.started_by.staff_id}`;
      const ranges = await db.transaction(async (tx) => {
        const now = clock.now();
        await tx.query(
          `UPDATE scans SET status = 'failed', failure = 'stalled: no progress for ten minutes (the process running it stopped)', finished_at = $1
            WHERE status = 'running' AND updated_at < $2`, [now, new Date(now.getTime() - SCAN_STALE_MS)]);
        const [running] = await tx.query(`SELECT id FROM scans WHERE status = 'running' FOR UPDATE`);
        if (running) throw new FurikaeError('scan_busy');
        const planned = await chunkRanges(tx, operator_id, chunk);
        await tx.query(
          `INSERT INTO scans (id, incident_id, from_date, to_date, from_at, to_at, operator_id, risk_config_id, scan_config_id, started_by, status,
                              chunks_total, customers_total, started_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'running', $11, $12, $13, $13)`,
          [scan_id, incident_id, window.from_date, window.to_date, window.from_at, window.to_at, operator_id, pipeline.config_id, scan_config.id,
            started_by, planned.ranges.length, planned.customers_total, now]);
        if (request.started_by !== 'cli') {
          await audit.append(tx, {
            staff_id: request.started_by.staff_id, action: 'scan.start', subject: scan_id,
            details: { from: window.from_date, to: window.to_date, operator_id, incident_id },
          });
        }
        return planned.ranges;
      }).catch((error: unknown) => {
        // Two starts racing past the check meet the one-running index: the loser is busy, not broken.
        if ((error as { code?: string }).code === '23505') throw new FurikaeError('scan_busy');
        throw error;
      });
      const scan = await getScan(scan_id);
      const finished = run(scan, ranges, onProgress);
      running.add(finished);
      void finished.finally(() => running.delete(finished));
      return { scan, finished };
    },

    /** Stops running scans after their current chunk (they are marked failed, with why) and waits for them. */
    async stop(): Promise<void> {
      stopping = true;
      await Promise.allSettled([...running]);
    },
  };
}

export type Scanner = ReturnType<typeof createScanner>;
