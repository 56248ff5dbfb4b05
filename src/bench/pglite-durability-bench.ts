/**
 * The cost of a durable embedded database: the same loads on a PGlite data folder as PGlite ships it (no fsync,
 * so a power cut can lose acknowledged commits) and as furikae runs it (the WAL synced before each COMMIT answers,
 * src/storage/pglite-durability.ts), in the same run, each on a fresh folder. The batched ledger and the charge
 * path pay one fsync per batch; the naive ledger pays one per transfer, the case batching exists for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { createPgliteDatabase } from '../storage/pglite-database.ts';
import { BATCH_TRANSFERS_MAX } from '../ledger/batcher.ts';
import { runLedgerBench } from './ledger-bench.ts';
import { runChargeHttpBench } from './charge-http-bench.ts';

/** One measured load, un-synced and synced. */
export interface DurabilityBenchRow {
  name: string;
  unsynced_per_second: number;
  synced_per_second: number;
  unsynced_p99_ms: number;
  synced_p99_ms: number;
}

async function inFreshFolder<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'furikae-bench-pglite-'));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the ledger (batched and naive) and HTTP charges (risk off) on PGlite folders, un-synced then synced. */
export async function runPgliteDurabilityBench({ quick, progress }: { quick: boolean; progress: (line: string) => void }): Promise<DurabilityBenchRow[]> {
  const measure = async (sync_on_commit: boolean) => {
    progress(`PGlite on a data folder, ${sync_on_commit ? 'synced on commit' : 'un-synced (as PGlite ships)'}`);
    const ledger = await inFreshFolder(async (dir) => {
      const db = await createPgliteDatabase(dir, { sync_on_commit });
      try {
        return await runLedgerBench({
          db, transfers_total: quick ? 20_000 : 100_000, accounts_count: 1000, concurrency: 512, batch_transfers_max: BATCH_TRANSFERS_MAX,
          naive_transfers_total: quick ? 500 : 2_000, naive_concurrency: 16, progress,
        });
      } finally {
        await db.close();
      }
    });
    const http = await inFreshFolder((dir) => runChargeHttpBench({
      database_url: undefined, pglite: { dir, sync_on_commit }, duration_seconds: quick ? 3 : 10, connections: 64, links_count: 50, risk: false, health_baseline: false,
    }));
    const [batched, naive] = ledger;
    const [charges] = http.rows;
    return [
      { name: 'ledger, batched', per_second: batched!.transfers_per_second, p99_ms: batched!.latency_ms_p99 },
      { name: 'ledger, naive (1 transaction per transfer)', per_second: naive!.transfers_per_second, p99_ms: naive!.latency_ms_p99 },
      { name: 'HTTP POST /v1/charges, risk off', per_second: charges!.requests_per_second, p99_ms: charges!.latency_ms_p99 },
    ];
  };
  const unsynced = await measure(false);
  const synced = await measure(true);
  return unsynced.map((row, index) => ({
    name: row.name,
    unsynced_per_second: row.per_second,
    synced_per_second: synced[index]!.per_second,
    unsynced_p99_ms: row.p99_ms,
    synced_p99_ms: synced[index]!.p99_ms,
  }));
}

/** The comparison as a markdown table, with the cost as synced ÷ un-synced. */
export function durabilityTable(rows: readonly DurabilityBenchRow[]): string {
  return [
    '| what | un-synced per second | synced per second | synced ÷ un-synced | p99 ms un-synced | p99 ms synced |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((row) => `| ${row.name} | ${Math.round(row.unsynced_per_second)} | ${Math.round(row.synced_per_second)} | ${(row.synced_per_second / row.unsynced_per_second).toFixed(2)}× | ${row.unsynced_p99_ms.toFixed(2)} | ${row.synced_p99_ms.toFixed(2)} |`),
  ].join('\n');
}

/** `npx tsx src/bench/pglite-durability-bench.ts [--quick]`: this comparison alone (`npm run bench -- --db pglite` runs it too). */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  console.log(`# load average at the start ${loadavg().map((n) => n.toFixed(1)).join(' ')}`);
  const rows = await runPgliteDurabilityBench({ quick, progress: (line) => console.log(`# ${line}`) });
  console.log(`# load average at the end ${loadavg().map((n) => n.toFixed(1)).join(' ')}`);
  console.log(durabilityTable(rows));
}
