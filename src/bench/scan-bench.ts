import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../storage/database.ts';
import { createPostgresDatabase } from '../storage/postgres-database.ts';
import { createPgliteDatabase } from '../storage/pglite-database.ts';
import { createFreshDatabase } from '../testing/postgres-cluster.ts';
import { migrate } from '../storage/migrate.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { systemClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import { createRiskPipeline } from '../risk/risk-pipeline.ts';
import { DEFAULT_RISK_CONFIG } from '../risk/default-risk-config.ts';
import { DEMO_AUDIT_KEY } from '../config.ts';
import { generateHistory, type HistorySummary } from '../history/generate-history.ts';
import { measureScanAccuracy, type ScanAccuracy } from '../history/scan-accuracy.ts';
import { createScanner } from '../scan/scanner.ts';

/** The issue's targets: 10 million charges in a minute on PostgreSQL; recall and precision on planted thefts. */
export const SCAN_SECONDS_TARGET_10M = 60;
export const SCAN_RECALL_TARGET = 0.99;
export const SCAN_PRECISION_TARGET = 0.9;

/** One scan measured on generated history. */
export interface ScanBenchRow {
  backend: 'postgres' | 'pglite';
  history: HistorySummary;
  generate_seconds: number;
  /** The same-run baseline: reading every ledger line once with COPY, nothing evaluated. */
  ledger_read_seconds: number;
  scan_seconds: number;
  charges_scanned: number;
  accuracy: ScanAccuracy;
}

/** Seconds a piece of work took. */
async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, (performance.now() - started) / 1000];
}

/**
 * Generates history of the given size (seed "bench") into a fresh database, then times a raw read of the whole ledger
 * (the baseline) and a scan of the whole history, and measures recall and precision against the planted thefts.
 */
export async function runScanBench(options: { backend: 'postgres' | 'pglite'; admin_url?: string; customers: number; charges: number; progress?: (line: string) => void }): Promise<ScanBenchRow> {
  const say = options.progress ?? (() => undefined);
  let folder: string | undefined;
  let db: Database;
  if (options.backend === 'postgres') {
    db = await createPostgresDatabase({ url: await createFreshDatabase(options.admin_url!, `furikae_bench_scan_${options.charges}`), connections_max: 8 });
  } else {
    // A folder rather than memory: PGlite's in-memory files grow by copying, which dominates at this size.
    folder = mkdtempSync(join(tmpdir(), 'furikae-bench-scan-'));
    db = await createPgliteDatabase(folder);
  }
  try {
    await migrate(db, bankMigrationSets);
    say(`scan bench: generating ${options.customers.toLocaleString('en-US')} customers and ${options.charges.toLocaleString('en-US')} charges on ${options.backend}`);
    const [history, generate_seconds] = await timed(() => generateHistory(db, { customers: options.customers, charges: options.charges, seed: 'bench',
      onProgress: (done, total) => { if (done % 100_000 === 0) say(`  ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} customers`); } }));
    // Index-only scans need the visibility map, which autovacuum would set on a live bank.
    await db.exec('VACUUM ANALYZE');
    const [, ledger_read_seconds] = await timed(async () => {
      let bytes = 0;
      for await (const piece of db.copyTo!(`SELECT debit_account_id, credit_account_id, created_at, amount_yen, user_data FROM ledger_transfers`)) bytes += piece.length;
      return bytes;
    });
    const ids = createIds(systemClock);
    const scanner = createScanner({ db, clock: systemClock, ids, log: createLogger({ level: 'warn' }), pipeline: createRiskPipeline(DEFAULT_RISK_CONFIG), audit: createAuditLog({ db, clock: systemClock, ids, key: DEMO_AUDIT_KEY }) });
    say(`scan bench: scanning ${history.charges.toLocaleString('en-US')} charges`);
    const [scan, scan_seconds] = await timed(async () => (await scanner.start({ from: history.from_date, to: history.to_date, started_by: 'cli' },
      (progress) => { if (progress.chunks_done % 10 === 0) say(`  chunk ${progress.chunks_done}/${progress.chunks_total}`); })).finished);
    if (scan.status !== 'done') throw new Error(`the bench scan failed: ${scan.failure}`);
    return { backend: options.backend, history, generate_seconds, ledger_read_seconds, scan_seconds, charges_scanned: scan.charges_scanned, accuracy: await measureScanAccuracy(db, scan.id) };
  } finally {
    await db.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  }
}

/** The table rows the bench prints for scans. */
export function formatScanBenchRows(rows: readonly ScanBenchRow[]): string[] {
  return rows.map((row) => {
    const perSecond = Math.round(row.charges_scanned / row.scan_seconds);
    const target = row.backend === 'postgres' && row.charges_scanned >= 10_000_000 ? ` (target ≤ ${SCAN_SECONDS_TARGET_10M} s ${row.scan_seconds <= SCAN_SECONDS_TARGET_10M ? 'met' : 'MISSED'})` : '';
    return `| scan: ${row.charges_scanned.toLocaleString('en-US')} charges on ${row.backend}, ${row.scan_seconds.toFixed(1)} s${target} | ${perSecond} | | | ${(row.scan_seconds / row.ledger_read_seconds).toFixed(1)}× reading the ledger once (${row.ledger_read_seconds.toFixed(1)} s) |\n`
      + `| scan accuracy (${row.history.victims} planted victims, ${row.accuracy.theft_charges} theft charges) | recall ${(row.accuracy.recall * 100).toFixed(2)} % (target ${SCAN_RECALL_TARGET * 100} %) | precision ${(row.accuracy.precision * 100).toFixed(2)} % (target ${SCAN_PRECISION_TARGET * 100} %) | | ${Object.entries(row.accuracy.recall_by_variant).map(([variant, recall]) => `${variant} ${(recall * 100).toFixed(1)} %`).join(', ')} |`;
  });
}
