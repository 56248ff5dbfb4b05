import { cpus, totalmem } from 'node:os';
import type { Database } from '../storage/database.ts';
import { createPostgresDatabase } from '../storage/postgres-database.ts';
import { createPgliteDatabase } from '../storage/pglite-database.ts';
import { createFreshDatabase, findPostgresBin, startThrowawayCluster } from '../testing/postgres-cluster.ts';
import { runLedgerBench, type BenchRow } from './ledger-bench.ts';
import { runChargeHttpBench, type HttpBenchRow } from './charge-http-bench.ts';
import { runRiskDecisionBench, type RiskDecisionBenchRow } from './risk-decision-bench.ts';
import { BATCH_TRANSFERS_MAX } from '../ledger/batcher.ts';
import { formatScanBenchRows, runScanBench, type ScanBenchRow } from './scan-bench.ts';
import { durabilityTable, runPgliteDurabilityBench, type DurabilityBenchRow } from './pglite-durability-bench.ts';
import { runLabBench, type LabBenchRow } from './lab-bench.ts';
import { benchServerKind, formatHardenedRows, runHardenedChargeBench, type HardenedBenchRow } from './hardened-charge-bench.ts';
import { runFailoverDrillBench } from './failover-drill-bench.ts';

export interface RunBenchOptions {
  backend: 'postgres' | 'pglite';
  /** Smaller loads, for a smoke check. */
  quick: boolean;
  /** A PostgreSQL server to use instead of a throwaway cluster. */
  database_url: string | undefined;
  /** Only the retrospective scan's rows (`--only scan`): they take long at full size. */
  only_scan?: boolean;
  /** Only the attack lab's runs (`--only lab`): every shipped scenario against both configurations, full size unless quick. */
  only_lab?: boolean;
  /** Only the hardened charge path's rows (`--only hardened`): DPoP tokens from real FAPI links, risk on; PostgreSQL only. */
  only_hardened?: boolean;
  /** Only the failover drill (`--only failover`): rounds of SIGKILL of the primary and promotion of its synchronous standby. */
  only_failover?: boolean;
}

/**
 * The hardened rows' bank configurations: one process, then two side by side (issue 11). FURIKAE_BENCH_WORKERS lists
 * others, each a process count with an optional log level (`1` for one row when profiling, `1:info,1` to measure
 * logging every request against warn, on the same seed in the same run).
 */
function hardenedKinds() {
  const listed = (process.env.FURIKAE_BENCH_WORKERS ?? '1,2').split(',').map((entry) => {
    const [workers, log_level] = entry.split(':');
    return { workers: Number(workers), log_level: log_level ?? 'warn' };
  });
  if (listed.some(({ workers }) => !Number.isSafeInteger(workers) || workers < 1)) throw new Error('FURIKAE_BENCH_WORKERS must list process counts, like 1,2 or 1:info,1');
  return listed.map(({ workers, log_level }) => benchServerKind(workers, log_level));
}

/** Runs the hardened charge path's rows and prints them (PostgreSQL only: the issue's target is with synchronous_commit on). */
async function runHardenedRows(options: RunBenchOptions, adminUrl: string | undefined): Promise<HardenedBenchRow[]> {
  if (options.backend !== 'postgres' || !adminUrl) return [];
  const rows = await runHardenedChargeBench({ admin_url: adminUrl, quick: options.quick, kinds: hardenedKinds(), progress: (line) => console.log(`# ${line}`) });
  console.log(`\n${formatHardenedRows(rows).join('\n')}`);
  return rows;
}

/**
 * The scan's sizes: the issue's 1M and 10M charges on PostgreSQL and 1M on PGlite (ten charges a customer), or
 * 100,000 charges on the chosen backend for --quick.
 */
function scanSizes(options: RunBenchOptions): Array<{ backend: 'postgres' | 'pglite'; customers: number; charges: number }> {
  if (options.quick) return [{ backend: options.backend, customers: 10_000, charges: 100_000 }];
  const pglite = { backend: 'pglite' as const, customers: 100_000, charges: 1_000_000 };
  if (options.backend === 'pglite') return [pglite];
  return [{ backend: 'postgres', customers: 100_000, charges: 1_000_000 }, { backend: 'postgres', customers: 1_000_000, charges: 10_000_000 }, pglite];
}

/** Runs the scan rows alone and prints them. */
async function runScanRows(options: RunBenchOptions, adminUrl: string | undefined): Promise<ScanBenchRow[]> {
  const rows: ScanBenchRow[] = [];
  for (const size of scanSizes(options)) {
    rows.push(await runScanBench({ ...size, ...(adminUrl ? { admin_url: adminUrl } : {}), progress: (line) => console.log(`# ${line}`) }));
  }
  console.log('\n| what | per second | | | ratio |');
  console.log('|---|---:|---:|---:|---:|');
  for (const line of formatScanBenchRows(rows)) console.log(line);
  for (const row of rows) {
    console.log(`# ${row.backend}: history of ${row.history.charges.toLocaleString('en-US')} charges generated in ${row.generate_seconds.toFixed(0)} s; scan ${row.scan_seconds.toFixed(1)} s`);
  }
  return rows;
}

/** The issue's target for one risk decision in process: well inside a charge's budget. */
export const RISK_DECISION_P99_MS_TARGET = 1;

/** Concurrent callers of the naive engine: each holds one pool connection. */
const NAIVE_CALLERS = 16;

function ms(value: number): string {
  return value.toFixed(2);
}

/** Runs the ledger and HTTP benchmarks on one backend and prints one table with same-run ratios. */
export async function runBench(options: RunBenchOptions): Promise<{ ledger: BenchRow[]; http: HttpBenchRow[]; risk: RiskDecisionBenchRow; durability: DurabilityBenchRow[]; lab: LabBenchRow[] }> {
  if (options.only_failover) {
    // Each round builds its own primary and standby: a killed primary cannot serve the next round.
    await runFailoverDrillBench(options.quick
      ? { rounds: 1, before_kill_seconds: 3, after_recovery_seconds: 3, callers: 32, links_count: 50 }
      : { rounds: 5, before_kill_seconds: 10, after_recovery_seconds: 10, callers: 64, links_count: 50 }, (line) => console.log(`# ${line}`));
    return { ledger: [], http: [], risk: runRiskDecisionBench({ evaluations: 1 }), durability: [], lab: [] };
  }
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
    if (options.only_scan) {
      await runScanRows(options, adminUrl);
      return { ledger: [], http: [], risk: runRiskDecisionBench({ evaluations: 1 }), durability: [], lab: [] };
    }
    if (options.only_hardened) {
      if (options.backend !== 'postgres') throw new Error('--only hardened runs on PostgreSQL (synchronous_commit on), not PGlite');
      await runHardenedRows(options, adminUrl);
      return { ledger: [], http: [], risk: runRiskDecisionBench({ evaluations: 1 }), durability: [], lab: [] };
    }
    if (options.only_lab) {
      const lab = await runLabBench({ backend: options.backend, quick: options.quick, admin_url: adminUrl });
      return { ledger: [], http: [], risk: runRiskDecisionBench({ evaluations: 1 }), durability: [], lab };
    }
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
    const risk = runRiskDecisionBench({ evaluations: options.quick ? 50_000 : 500_000 });
    // The same load twice, on fresh databases: the charge path without the risk step, then with it.
    const httpRun = async (risk_on: boolean) => runChargeHttpBench({
      database_url: options.backend === 'postgres' ? await createFreshDatabase(adminUrl!, risk_on ? 'furikae_bench_http_risk' : 'furikae_bench_http') : undefined,
      duration_seconds: options.quick ? 3 : 10,
      connections: 64,
      links_count: 50,
      risk: risk_on,
      health_baseline: !risk_on,
    });
    const riskOff = await httpRun(false);
    const riskOn = await httpRun(true);
    const http = [...riskOff.rows, ...riskOn.rows];
    const [batched, naive] = ledger;
    const [baseline, charges, chargesWithRisk] = http;
    console.log('\n| what | per second | median ms | p99 ms | ratio |');
    console.log('|---|---:|---:|---:|---:|');
    for (const row of ledger) {
      const ratio = naive ? `${(row.transfers_per_second / naive.transfers_per_second).toFixed(1)}× naive` : '';
      console.log(`| ledger: ${row.name} | ${Math.round(row.transfers_per_second)} | ${ms(row.latency_ms_median)} | ${ms(row.latency_ms_p99)} | ${ratio} |`);
    }
    for (const row of http) {
      const ratio = baseline ? `${(row.requests_per_second / baseline.requests_per_second).toFixed(2)}× /health` : '';
      const vsOff = row === chargesWithRisk && charges ? `, ${(row.requests_per_second / charges.requests_per_second).toFixed(2)}× risk off` : '';
      const failures = row.errors + row.non_2xx > 0 ? ` (${row.errors} errors, ${row.non_2xx} non-2xx)` : '';
      console.log(`| http: ${row.name}${failures} | ${row.requests_per_second} | ${ms(row.latency_ms_median)} | ${ms(row.latency_ms_p99)} | ${ratio}${vsOff} |`);
    }
    const p99_met = risk.latency_ms_p99 <= RISK_DECISION_P99_MS_TARGET ? 'met' : 'MISSED';
    console.log(`| risk: one decision in process (${risk.evaluations} evaluations) | ${risk.decisions_per_second} | ${risk.latency_ms_median.toFixed(4)} | ${risk.latency_ms_p99.toFixed(4)} | p99 target ${RISK_DECISION_P99_MS_TARGET} ms ${p99_met} |`);
    const mix = (outcomes: Record<string, number>) => Object.entries(outcomes).map(([outcome, n]) => `${outcome} ${n}`).join(', ') || 'none';
    console.log(`\nrisk decisions in process: ${Object.entries(risk.actions).map(([action, n]) => `${action} ${n}`).join(', ')}; charges answered with risk off: ${mix(riskOff.outcomes)}; with risk on: ${mix(riskOn.outcomes)}`);
    if (batched && naive && charges) {
      console.log(`\nledger engine ${Math.round(batched.transfers_per_second)}/s = ${(batched.transfers_per_second / naive.transfers_per_second).toFixed(1)}× naive; HTTP charges (risk off) ${charges.requests_per_second}/s, p99 ${charges.latency_ms_p99} ms`);
    }
    await runHardenedRows(options, adminUrl);
    await runScanRows(options, adminUrl);
    if (charges && chargesWithRisk) {
      console.log(`HTTP charges with the risk step ${chargesWithRisk.requests_per_second}/s against ${charges.requests_per_second}/s without (${(chargesWithRisk.requests_per_second / charges.requests_per_second).toFixed(2)}×); one decision p99 ${risk.latency_ms_p99.toFixed(4)} ms`);
    }
    let durability: DurabilityBenchRow[] = [];
    if (options.backend === 'pglite') {
      durability = await runPgliteDurabilityBench({ quick: options.quick, progress: (line) => console.log(`# ${line}`) });
      console.log('\nPGlite on a data folder: as it ships (no fsync) against synced on commit (furikae\'s default), same run');
      console.log(durabilityTable(durability));
    }
    // The attack lab's shipped scenarios, both configurations, with their run times (docs/lab.md).
    const lab = await runLabBench({ backend: options.backend, quick: options.quick, admin_url: adminUrl });
    return { ledger, http, risk, durability, lab };
  } finally {
    stopCluster();
  }
}
