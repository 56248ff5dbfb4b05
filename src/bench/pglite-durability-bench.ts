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

/** One measured load, un-synced and synced: medians over the rounds, and each round's ratio. */
export interface DurabilityBenchRow {
  name: string;
  unsynced_per_second: number;
  synced_per_second: number;
  unsynced_p99_ms: number;
  synced_p99_ms: number;
  /** synced ÷ un-synced in each round, in order: their spread shows how much the machine's noise moved the median. */
  round_ratios: number[];
}

/**
 * Rounds of the comparison. The two modes alternate, and which goes first alternates too, so a machine that grows
 * busier during the run does not favour either; the table quotes medians.
 */
export const DURABILITY_ROUNDS = 3;

async function inFreshFolder<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'furikae-bench-pglite-'));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Runs the ledger (batched and naive) and HTTP charges (risk off) on PGlite folders, un-synced and synced, in alternating rounds. */
export async function runPgliteDurabilityBench({ quick, progress, rounds = DURABILITY_ROUNDS }: {
  quick: boolean; progress: (line: string) => void; rounds?: number;
}): Promise<DurabilityBenchRow[]> {
  const measure = async (sync_on_commit: boolean) => {
    progress(`PGlite on a data folder, ${sync_on_commit ? 'synced on commit' : 'un-synced (as PGlite ships)'}`);
    const ledger = await inFreshFolder(async (dir) => {
      const db = await createPgliteDatabase(dir, { sync_on_commit });
      try {
        return await runLedgerBench({
          db, transfers_total: quick ? 10_000 : 50_000, accounts_count: 1000, concurrency: 512, batch_transfers_max: BATCH_TRANSFERS_MAX,
          naive_transfers_total: quick ? 300 : 1_000, naive_concurrency: 16, progress,
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
    const rows = [
      { name: 'ledger, batched', per_second: batched!.transfers_per_second, p99_ms: batched!.latency_ms_p99 },
      { name: 'ledger, naive (1 transaction per transfer)', per_second: naive!.transfers_per_second, p99_ms: naive!.latency_ms_p99 },
      { name: 'HTTP POST /v1/charges, risk off', per_second: charges!.requests_per_second, p99_ms: charges!.latency_ms_p99 },
    ];
    // Each measurement as it is made: a run cut short on a loaded machine still leaves its figures.
    for (const row of rows) progress(`${sync_on_commit ? 'synced' : 'un-synced'}: ${row.name}: ${Math.round(row.per_second)}/s, p99 ${row.p99_ms.toFixed(2)} ms`);
    return rows;
  };
  const unsynced: Awaited<ReturnType<typeof measure>>[] = [];
  const synced: Awaited<ReturnType<typeof measure>>[] = [];
  for (let round = 0; round < rounds; round++) {
    progress(`round ${round + 1} of ${rounds}`);
    if (round % 2 === 0) {
      unsynced.push(await measure(false));
      synced.push(await measure(true));
    } else {
      synced.push(await measure(true));
      unsynced.push(await measure(false));
    }
  }
  return unsynced[0]!.map((row, index) => ({
    name: row.name,
    unsynced_per_second: median(unsynced.map((r) => r[index]!.per_second)),
    synced_per_second: median(synced.map((r) => r[index]!.per_second)),
    unsynced_p99_ms: median(unsynced.map((r) => r[index]!.p99_ms)),
    synced_p99_ms: median(synced.map((r) => r[index]!.p99_ms)),
    round_ratios: synced.map((r, round) => r[index]!.per_second / unsynced[round]![index]!.per_second),
  }));
}

/** The comparison as a markdown table, with the cost as synced ÷ un-synced. */
export function durabilityTable(rows: readonly DurabilityBenchRow[]): string {
  return [
    '| what (medians) | un-synced per second | synced per second | synced ÷ un-synced | each round | p99 ms un-synced | p99 ms synced |',
    '|---|---:|---:|---:|---|---:|---:|',
    ...rows.map((row) => `| ${row.name} | ${Math.round(row.unsynced_per_second)} | ${Math.round(row.synced_per_second)} | ${(row.synced_per_second / row.unsynced_per_second).toFixed(2)}× | ${row.round_ratios.map((ratio) => ratio.toFixed(2)).join(' · ')} | ${row.unsynced_p99_ms.toFixed(2)} | ${row.synced_p99_ms.toFixed(2)} |`),
  ].join('\n');
}

/**
 * `npx tsx src/bench/pglite-durability-bench.ts [--quick] [--rounds N]`: this comparison alone (`npm run bench --
 * --db pglite` runs it too); fewer rounds when the machine is too loaded for three.
 */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  const rounds_at = process.argv.indexOf('--rounds');
  const rounds = rounds_at > 0 ? Number(process.argv[rounds_at + 1]) : DURABILITY_ROUNDS;
  if (!Number.isSafeInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number of at least 1');
  console.log(`# load average at the start ${loadavg().map((n) => n.toFixed(1)).join(' ')}`);
  const rows = await runPgliteDurabilityBench({ quick, rounds, progress: (line) => console.log(`# ${line}`) });
  console.log(`# load average at the end ${loadavg().map((n) => n.toFixed(1)).join(' ')}`);
  console.log(durabilityTable(rows));
}
