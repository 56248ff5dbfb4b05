import { cpus, totalmem } from 'node:os';
import type { Database } from '../storage/database.ts';
import { createPostgresDatabase } from '../storage/postgres-database.ts';
import { createPgliteDatabase } from '../storage/pglite-database.ts';
import { createFreshDatabase, findPostgresBin, startThrowawayCluster } from '../testing/postgres-cluster.ts';
import { runLedgerBench, type BenchRow } from './ledger-bench.ts';
import { runChargeHttpBench, type HttpBenchRow } from './charge-http-bench.ts';
import { BATCH_TRANSFERS_MAX } from '../ledger/batcher.ts';

export interface RunBenchOptions {
  backend: 'postgres' | 'pglite';
  /** Smaller loads, for a smoke check. */
  quick: boolean;
  /** A PostgreSQL server to use instead of a throwaway cluster. */
  database_url: string | undefined;
}

/** Concurrent callers of the naive engine: each holds one pool connection. */
const NAIVE_CALLERS = 16;

function ms(value: number): string {
  return value.toFixed(2);
}

/** Runs the ledger and HTTP benchmarks on one backend and prints one table with same-run ratios. */
export async function runBench(options: RunBenchOptions): Promise<{ ledger: BenchRow[]; http: HttpBenchRow[] }> {
  let stopCluster = () => undefined as void;
  let adminUrl = options.database_url;
  if (options.backend === 'postgres' && !adminUrl) {
    const bin = findPostgresBin();
    if (!bin) throw new Error('PostgreSQL is not installed (no initdb found); run with --db pglite or set DATABASE_URL');
    const cluster = await startThrowawayCluster(bin);
    stopCluster = () => cluster.stop();
    adminUrl = cluster.url;
  }
  const openLedgerDb = async (): Promise<Database> =>
    options.backend === 'pglite'
      ? createPgliteDatabase()
      : createPostgresDatabase({ url: await createFreshDatabase(adminUrl!, 'furikae_bench_ledger'), connections_max: NAIVE_CALLERS + 2 });
  try {
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
    console.log(`# furikae bench on ${options.backend}${options.backend === 'postgres' ? ' (synchronous_commit on)' : ' (in memory)'}; ${machine}; ${new Date().toISOString().slice(0, 10)}`);
    const ledgerDb = await openLedgerDb();
    let ledger: BenchRow[];
    try {
      ledger = await runLedgerBench({
        db: ledgerDb,
        transfers_total: options.quick ? 20_000 : 200_000,
        accounts_count: 1000,
        concurrency: 512,
        batch_transfers_max: BATCH_TRANSFERS_MAX,
        naive_transfers_total: options.quick ? 1_000 : 10_000,
        naive_concurrency: NAIVE_CALLERS,
        progress: (line) => console.log(`# ${line}`),
      });
    } finally {
      await ledgerDb.close();
    }
    const http = await runChargeHttpBench({
      database_url: options.backend === 'postgres' ? await createFreshDatabase(adminUrl!, 'furikae_bench_http') : undefined,
      duration_seconds: options.quick ? 3 : 10,
      connections: 64,
      links_count: 50,
    });
    const [batched, naive] = ledger;
    const [baseline, charges] = http;
    console.log('\n| what | per second | median ms | p99 ms | ratio |');
    console.log('|---|---:|---:|---:|---:|');
    for (const row of ledger) {
      const ratio = naive ? `${(row.transfers_per_second / naive.transfers_per_second).toFixed(1)}× naive` : '';
      console.log(`| ledger: ${row.name} | ${Math.round(row.transfers_per_second)} | ${ms(row.latency_ms_median)} | ${ms(row.latency_ms_p99)} | ${ratio} |`);
    }
    for (const row of http) {
      const ratio = baseline ? `${(row.requests_per_second / baseline.requests_per_second).toFixed(2)}× /health` : '';
      const failures = row.errors + row.non_2xx > 0 ? ` (${row.errors} errors, ${row.non_2xx} non-2xx)` : '';
      console.log(`| http: ${row.name}${failures} | ${row.requests_per_second} | ${ms(row.latency_ms_median)} | ${ms(row.latency_ms_p99)} | ${ratio} |`);
    }
    if (batched && naive && charges) {
      console.log(`\nledger engine ${Math.round(batched.transfers_per_second)}/s = ${(batched.transfers_per_second / naive.transfers_per_second).toFixed(1)}× naive; HTTP charges ${charges.requests_per_second}/s, p99 ${charges.latency_ms_p99} ms`);
    }
    return { ledger, http };
  } finally {
    stopCluster();
  }
}
