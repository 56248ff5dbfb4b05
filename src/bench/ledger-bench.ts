/**
 * Measures the batched ledger against the naive one-transaction-per-transfer ledger on the same database
 * in the same run: throughput, and per-transfer latency from submit to answer (after COMMIT).
 *
 *   npx tsx src/bench/ledger-bench.ts --db postgres   (a throwaway cluster, fsync and synchronous_commit on)
 *   npx tsx src/bench/ledger-bench.ts --db pglite
 * Options: --transfers N --accounts N --concurrency N --per-call N --batch N --naive-transfers N --naive-concurrency N
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { assert } from '../shared/assert.ts';
import { systemClock } from '../shared/clock.ts';
import { createIds, type Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { migrate } from '../storage/migrate.ts';
import { createLedger } from '../ledger/create-ledger.ts';
import { ledgerMigrations } from '../ledger/ledger-migrations.ts';
import type { Ledger, NewTransfer } from '../ledger/ledger-types.ts';
import { createNaiveLedger } from './naive-ledger.ts';

export interface BenchRow {
  name: string;
  transfers_total: number;
  /** Callers with a request in flight at once. */
  concurrency: number;
  transfers_per_second: number;
  /** Submit to answer, per transfer. */
  latency_ms_median: number;
  latency_ms_p99: number;
  /**
   * CPU spent per transfer by this process and the PostgreSQL server together (all its processes, WAL writer
   * and checkpointer included), in microseconds; null when the server's CPU cannot be read (not local Linux).
   * Unlike the wall-clock figures it barely moves when other work shares the machine.
   */
  cpu_us_per_transfer: number | null;
}

export interface LedgerBenchOptions {
  db: Database;
  /** Transfers the batched ledger commits in the timed run. */
  transfers_total: number;
  /** Accounts the transfers move money between, all with the no-overdraft flag. */
  accounts_count: number;
  /** Concurrent callers of the batched ledger. */
  concurrency: number;
  batch_transfers_max: number;
  /** Transfers each caller submits per createTransfers call; 32 unless given. */
  transfers_per_call?: number;
  /** Transfers the naive ledger commits; a tenth of transfers_total unless given, since it is that much slower. */
  naive_transfers_total?: number;
  /** Concurrent callers of the naive ledger; each holds a pool connection, so the pool needs this many. 16 unless given. */
  naive_concurrency?: number;
  /** Progress lines; silent unless given. */
  progress?: (line: string) => void;
}

/** Each account starts with this much, so random small transfers never hit the no-overdraft rule. */
const OPENING_BALANCE_YEN = 1_000_000_000;
/** Transfers move ¥1 to this much. */
const TRANSFER_YEN_MAX = 1_000;
/** Untimed transfers first, so JIT warm-up and first-touch page reads do not count against either engine. */
const WARMUP_TRANSFERS = 2_000;

function randomTransfers(ids: Ids, accounts: string[], count: number): NewTransfer[] {
  const transfers: NewTransfer[] = [];
  for (let index = 0; index < count; index++) {
    const debit = Math.floor(Math.random() * accounts.length);
    // Any other account: offset 1..n-1 keeps debit and credit different.
    const credit = (debit + 1 + Math.floor(Math.random() * (accounts.length - 1))) % accounts.length;
    transfers.push({
      id: ids.next(),
      debit_account_id: accounts[debit] as string,
      credit_account_id: accounts[credit] as string,
      amount_yen: 1 + Math.floor(Math.random() * TRANSFER_YEN_MAX),
      code: 1,
    });
  }
  return transfers;
}

/** Linux reports process CPU in clock ticks of 1/100 s (USER_HZ) on every common build. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * From /proc/PID/stat, in ticks: the process's own CPU (utime + stime) and that of its children that have
 * exited (cutime + cstime), so a pool connection closing mid-run still counts; with its parent's pid.
 */
function processTicks(pid: number): { parent_pid: number; ticks: number; exited_children_ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name sits in parentheses and may hold spaces: fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      parent_pid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      exited_children_ticks: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by the local PostgreSQL server behind `db`: its postmaster and every child.
 * PGlite runs inside this process, so its share is already in process.cpuUsage() and counts as 0 here.
 */
async function serverCpuSeconds(db: Database): Promise<number | undefined> {
  if (db.backend === 'pglite') return 0;
  if (process.platform !== 'linux') return undefined;
  const [row] = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const postmaster = row ? processTicks(row.pid)?.parent_pid : undefined;
  if (postmaster === undefined) return undefined;
  const server = processTicks(postmaster);
  if (!server) return undefined;
  let ticks = server.ticks + server.exited_children_ticks;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const child = processTicks(Number(name));
    if (child?.parent_pid === postmaster) ticks += child.ticks;
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** CPU seconds used so far by this process and the server; the server part is undefined when unreadable. */
async function cpuSeconds(db: Database): Promise<{ own: number; server: number | undefined }> {
  const usage = process.cpuUsage();
  return { own: (usage.user + usage.system) / 1e6, server: await serverCpuSeconds(db) };
}

function cpuSplit(before: { own: number; server: number | undefined }, after: { own: number; server: number | undefined }, transfers: number): string {
  const per = (seconds: number) => `${Math.round((seconds * 1e6) / transfers)} µs`;
  const server = before.server === undefined || after.server === undefined ? 'unknown' : per(after.server - before.server);
  return `CPU per transfer: this process ${per(after.own - before.own)}, server ${server}`;
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * (sorted.length - 1)))] as number;
}

/**
 * Runs `callers` loops that each take the next `per_call` transfers and await `send` until none are left;
 * returns the wall time and every transfer's latency.
 */
async function drive(
  transfers: NewTransfer[],
  callers: number,
  per_call: number,
  send: (group: NewTransfer[]) => Promise<string[]>,
): Promise<{ seconds: number; latencies_ms: Float64Array; failures: number }> {
  const latencies_ms = new Float64Array(transfers.length);
  let next = 0;
  let failures = 0;
  const caller = async () => {
    while (next < transfers.length) {
      const start = next;
      const end = Math.min(transfers.length, start + per_call);
      next = end;
      const submitted_ms = performance.now();
      const results = await send(transfers.slice(start, end));
      const latency_ms = performance.now() - submitted_ms;
      latencies_ms.fill(latency_ms, start, end);
      failures += results.filter((result) => result !== 'ok').length;
    }
  };
  const started_ms = performance.now();
  await Promise.all(Array.from({ length: callers }, caller));
  return { seconds: (performance.now() - started_ms) / 1000, latencies_ms, failures };
}

function row(
  name: string,
  concurrency: number,
  run: { seconds: number; latencies_ms: Float64Array },
  cpu_before: { own: number; server: number | undefined },
  cpu_after: { own: number; server: number | undefined },
): BenchRow {
  const sorted = run.latencies_ms.slice().sort();
  const server_seconds = cpu_before.server === undefined || cpu_after.server === undefined ? undefined : cpu_after.server - cpu_before.server;
  const own_seconds = cpu_after.own - cpu_before.own;
  return {
    name,
    transfers_total: run.latencies_ms.length,
    concurrency,
    transfers_per_second: Math.round(run.latencies_ms.length / run.seconds),
    latency_ms_median: Number(percentile(sorted, 0.5).toFixed(2)),
    latency_ms_p99: Number(percentile(sorted, 0.99).toFixed(2)),
    cpu_us_per_transfer: server_seconds === undefined ? null : Math.round(((own_seconds + server_seconds) * 1e6) / run.latencies_ms.length),
  };
}

async function openAccounts(ledger: Ledger, ids: Ids, accounts_count: number): Promise<string[]> {
  const bank = ids.next();
  const accounts = Array.from({ length: accounts_count }, () => ids.next());
  const created = await ledger.createAccounts([
    { id: bank, code: 1 },
    ...accounts.map((id) => ({ id, code: 2, flags: { debits_must_not_exceed_credits: true } })),
  ]);
  assert(created.every((result) => result === 'ok'), 'bench accounts are created');
  const funded = await ledger.createTransfers(
    accounts.map((id) => ({ id: ids.next(), debit_account_id: bank, credit_account_id: id, amount_yen: OPENING_BALANCE_YEN, code: 9 })),
  );
  assert(funded.every((result) => result === 'ok'), 'bench accounts are funded');
  return accounts;
}

/** Runs the batched and the naive ledger on `db` and returns one row each. Stops by itself. */
export async function runLedgerBench(options: LedgerBenchOptions): Promise<BenchRow[]> {
  const { db, transfers_total, accounts_count, concurrency, batch_transfers_max } = options;
  const per_call = options.transfers_per_call ?? 32;
  const naive_total = options.naive_transfers_total ?? Math.max(1, Math.ceil(transfers_total / 10));
  const naive_concurrency = options.naive_concurrency ?? 16;
  const progress = options.progress ?? (() => undefined);
  assert(accounts_count >= 2 && accounts_count <= 8190, 'accounts_count is 2 to 8190');
  assert(transfers_total >= 1 && concurrency >= 1 && per_call >= 1, 'the bench needs work and callers');
  await migrate(db, [ledgerMigrations]);
  const ids = createIds(systemClock);
  const ledger = createLedger({ db, clock: systemClock, batch_transfers_max });
  const naive = createNaiveLedger({ db, clock: systemClock });
  const rows: BenchRow[] = [];
  try {
    const accounts = await openAccounts(ledger, ids, accounts_count);

    progress(`warming up with ${WARMUP_TRANSFERS} transfers per engine`);
    await drive(randomTransfers(ids, accounts, WARMUP_TRANSFERS), concurrency, per_call, (group) => ledger.createTransfers(group));
    await drive(randomTransfers(ids, accounts, WARMUP_TRANSFERS / 10), naive_concurrency, 1, async ([transfer]) => [
      await naive.createTransfer(transfer as NewTransfer),
    ]);

    progress(`batched: ${transfers_total} transfers, ${concurrency} callers × ${per_call} per call, batches of ≤ ${batch_transfers_max}`);
    const batched_transfers = randomTransfers(ids, accounts, transfers_total);
    const batched_cpu_before = await cpuSeconds(db);
    const batched = await drive(batched_transfers, concurrency, per_call, (group) => ledger.createTransfers(group));
    const batched_cpu_after = await cpuSeconds(db);
    assert(batched.failures === 0, `the batched ledger refused ${batched.failures} transfers`);
    progress(cpuSplit(batched_cpu_before, batched_cpu_after, transfers_total));
    rows.push(row(`batched (${per_call} per call, batch ≤ ${batch_transfers_max})`, concurrency, batched, batched_cpu_before, batched_cpu_after));

    progress(`naive: ${naive_total} transfers, ${naive_concurrency} callers, one transaction each`);
    const naive_transfers = randomTransfers(ids, accounts, naive_total);
    const naive_cpu_before = await cpuSeconds(db);
    const plain = await drive(naive_transfers, naive_concurrency, 1, async ([transfer]) => [await naive.createTransfer(transfer as NewTransfer)]);
    const naive_cpu_after = await cpuSeconds(db);
    assert(plain.failures === 0, `the naive ledger refused ${plain.failures} transfers`);
    progress(cpuSplit(naive_cpu_before, naive_cpu_after, naive_total));
    rows.push(row('naive (1 transaction per transfer)', naive_concurrency, plain, naive_cpu_before, naive_cpu_after));

    progress('checking the ledger invariants over everything both engines wrote');
    const report = await ledger.checkInvariants();
    assert(report.ok, `invariants broken after the bench: ${JSON.stringify(report)}`);
  } finally {
    await ledger.close();
  }
  return rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: 'postgres' },
      transfers: { type: 'string', default: '200000' },
      accounts: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '512' },
      'per-call': { type: 'string', default: '32' },
      batch: { type: 'string', default: '8190' },
      'naive-transfers': { type: 'string' },
      'naive-concurrency': { type: 'string', default: '16' },
    },
  });
  const naive_concurrency = Number(values['naive-concurrency']);
  const options = {
    transfers_total: Number(values.transfers),
    accounts_count: Number(values.accounts),
    concurrency: Number(values.concurrency),
    transfers_per_call: Number(values['per-call']),
    batch_transfers_max: Number(values.batch),
    naive_transfers_total: values['naive-transfers'] === undefined ? undefined : Number(values['naive-transfers']),
    naive_concurrency,
    progress: (line: string) => console.error(`# ${line}`),
  };
  let stop = () => undefined as void;
  let db: Database;
  if (values.db === 'postgres') {
    const { findPostgresBin, startThrowawayCluster } = await import('../testing/postgres-cluster.ts');
    const { createPostgresDatabase } = await import('../storage/postgres-database.ts');
    const bin = findPostgresBin();
    if (!bin) throw new Error('PostgreSQL is not installed: no initdb found');
    const cluster = await startThrowawayCluster(bin);
    stop = () => cluster.stop();
    console.error(`# PostgreSQL throwaway cluster from ${bin} (fsync=on, synchronous_commit=on)`);
    // One connection for the batching writer, one per naive caller, one spare for the invariant check.
    db = await createPostgresDatabase({ url: cluster.url, connections_max: naive_concurrency + 2 });
  } else if (values.db === 'pglite') {
    const { createPgliteDatabase } = await import('../storage/pglite-database.ts');
    db = await createPgliteDatabase();
  } else {
    throw new Error(`--db must be postgres or pglite, not ${values.db}`);
  }
  try {
    // Other work on the machine skews every figure, so the run says how busy the machine was.
    console.error(`# ${cpus().length} cores, load average before: ${loadavg().map((load) => load.toFixed(2)).join(' ')}`);
    const rows = await runLedgerBench({ db, ...options });
    console.error(`# load average after: ${loadavg().map((load) => load.toFixed(2)).join(' ')}`);
    console.table(rows);
    const [batched, naive] = rows;
    if (batched && naive) console.log(`batched / naive: ${(batched.transfers_per_second / naive.transfers_per_second).toFixed(1)}×`);
  } finally {
    await db.close();
    stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
