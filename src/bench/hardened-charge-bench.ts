import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import pg from 'pg';
import { createFreshDatabase } from '../testing/postgres-cluster.ts';
import { refreshSeededLinks, seedHardenedLinks, type SeededLink } from './hardened-charge-seed.ts';

/** Keep-alive connections from the load generator (issue 11). */
export const HARDENED_CONNECTIONS = 64;
/** Customers seeded; each has a link to each of the two operators: 200 links, so batches do not all contend on one. */
const CUSTOMERS_FULL = 100;
const CUSTOMERS_QUICK = 10;
/** Rounds of each load; the table quotes the median round (the machine is shared and noisy). */
const ROUNDS = 3;
/** Charges per round: a fixed count, since each needs its own DPoP proof signed before the round starts. */
const CHARGES_PER_ROUND_FULL = 15_000;
const CHARGES_PER_ROUND_QUICK = 3_000;
/** Seconds of GET /health per round. */
const HEALTH_SECONDS_FULL = 5;
const HEALTH_SECONDS_QUICK = 2;
/** Untimed charges first, so JIT compilation, pool connections and the first batches do not count. */
const WARMUP_CHARGES = 1_000;
/** ¥1 a charge: far inside every cap and balance, so each charge takes the whole allow path. */
const CHARGE_BODY = '{"amount_yen":1}';

/** How the bank under load runs: the bench's own server (one process), or `furikae serve --workers N`. */
export interface HardenedServerKind {
  name: string;
  start(options: { database_url: string; port: number; public_url: string }): Promise<{ stop(): Promise<void>; cpu_ms(): number }>;
}

/** One configuration's figures: medians of ROUNDS rounds, with the load average when each round ended. */
export interface HardenedBenchRow {
  name: string;
  health_per_second: number;
  charges_per_second: number;
  ratio_to_health: number;
  latency_ms_p50: number;
  latency_ms_p99: number;
  /** CPU time of the bank's processes per charge answered (user and system): a figure the machine's other load skews far less. */
  bank_cpu_us_per_charge: number;
  non_2xx: number;
  errors: number;
  load_averages: number[];
  links_count: number;
  /** Answers by HTTP status over the measured rounds. */
  statuses: Record<string, number>;
  /** Charge rows the measured rounds added: equal to the 201 and 202 answers when each charge is recorded exactly once. */
  charges_recorded: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Waits for a child's JSON ready line carrying `url` on stdout. */
export function readyLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench bank exited with ${code}`)));
    lines.on('line', (line) => {
      const parsed = (() => { try { return JSON.parse(line) as { url?: string }; } catch { return undefined; } })();
      if (parsed?.url) resolve(parsed.url);
    });
  });
}

/** Stops a child with SIGTERM and waits for it. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); });
}

/**
 * The bench's bank (src/bench/hardened-bench-server.ts) as `workers` processes sharing the port through node:cluster,
 * as `serve --workers N` runs them, with the benchmark's risk config and rate limits (the shipped velocity caps would
 * deny most of a run's charges, and then the figure would be the cost of refusing). FURIKAE_BENCH_CPU_PROF_DIR writes
 * a V8 CPU profile of each process there (node --cpu-prof), for the README's breakdown.
 */
export function benchServerKind(workers: number, log_level = 'warn'): HardenedServerKind {
  return {
    name: `${workers} bank process${workers === 1 ? '' : 'es'}${log_level === 'warn' ? '' : `, log level ${log_level}`}`,
    async start({ database_url, port, public_url }) {
      const profile_dir = process.env.FURIKAE_BENCH_CPU_PROF_DIR;
      const child = spawn(process.execPath, [
        ...(profile_dir ? ['--cpu-prof', '--cpu-prof-dir', profile_dir] : []),
        '--import', 'tsx', new URL('./hardened-bench-server.ts', import.meta.url).pathname,
      ], {
        env: { ...process.env, BENCH_DATABASE_URL: database_url, BENCH_PORT: String(port), BENCH_PUBLIC_URL: public_url, BENCH_WORKERS: String(workers), LOG_LEVEL: log_level },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await readyLine(child);
      // Drained so the bank never blocks on a full pipe; the ready line was the only one wanted.
      child.stdout!.resume();
      return { stop: () => stopChild(child), cpu_ms: () => processTreeCpuMs(child.pid!) };
    },
  };
}

/**
 * The requests of one round, each with its own Idempotency-Key and a fresh DPoP proof (RFC 9449) signed by the link's
 * operator through oauth4webapi's DPoP handle, bound to this request's method and URL and to the link's access token.
 * Signed before the round so the load generator's own signing does not slow the bank it shares two cores with.
 */
async function signedCharges(links: SeededLink[], url: string, count: number): Promise<Array<Record<string, string>>> {
  const target = new URL(`${url}/v1/charges`);
  const prefix = randomBytes(6).toString('hex');
  const requests: Array<Record<string, string>> = [];
  for (let n = 0; n < count; n++) {
    const link = links[n % links.length]!;
    const headers = new Headers();
    // The handle's proof method is what openid-client itself calls for each protected-resource request.
    await (link.operator.dpop as unknown as { addProof(url: URL, headers: Headers, htm: string, accessToken?: string): Promise<void> })
      .addProof(target, headers, 'POST', link.access_token);
    requests.push({
      'content-type': 'application/json', authorization: `DPoP ${link.access_token}`, dpop: headers.get('dpop')!, 'idempotency-key': `${prefix}-${n}`,
    });
  }
  return requests;
}

/** /proc reports CPU time in clock ticks of USER_HZ, 100 a second on Linux. */
const MS_PER_CLOCK_TICK = 10;

/** CPU time (user and system) of a process and its direct children, the bank's workers, from /proc (Linux). */
export function processTreeCpuMs(pid: number): number {
  const stat = (id: string) => {
    try {
      // Fields after the command's closing parenthesis: state is the 1st, ppid the 2nd, utime the 12th, stime the 13th.
      return readFileSync(`/proc/${id}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    } catch {
      return undefined; // exited meanwhile
    }
  };
  let ticks = 0;
  for (const id of readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name))) {
    const fields = stat(id);
    if (!fields || (Number(id) !== pid && Number(fields[1]) !== pid)) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * MS_PER_CLOCK_TICK;
}

/** One round: its requests signed first, then sent; the bank's CPU is read around the sending only. */
async function chargeRound(links: SeededLink[], url: string, count: number, cpu_ms?: () => number): Promise<autocannon.Result & { bank_cpu_ms: number }> {
  const requests = await signedCharges(links, url, count);
  let sent = 0;
  const cpu_before = cpu_ms?.() ?? 0;
  const result = await autocannon({
    url: `${url}/v1/charges`, connections: HARDENED_CONNECTIONS, pipelining: 1, amount: count,
    requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, headers: requests[sent++ % requests.length]!, body: CHARGE_BODY }) }],
  });
  return Object.assign(result, { bank_cpu_ms: (cpu_ms?.() ?? 0) - cpu_before });
}

/** Requests per second over the load's own start and finish (autocannon's `duration` is whole seconds, too coarse for a 6 s round). */
function perSecond(result: autocannon.Result): number {
  return result.requests.total / ((result.finish.getTime() - result.start.getTime()) / 1000);
}

/** Charge rows in the database: every answered charge must have made exactly one. */
async function chargesRecorded(database_url: string): Promise<number> {
  const db = new pg.Client({ connectionString: database_url });
  await db.connect();
  try {
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM charges');
    return Number(rows[0]!.n);
  } finally {
    await db.end();
  }
}

async function resetStatementStats(database_url: string): Promise<void> {
  const db = new pg.Client({ connectionString: database_url });
  await db.connect();
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await db.query('SELECT pg_stat_statements_reset()');
  } finally {
    await db.end();
  }
}

/** Answers by status code over rounds (201 charged, 202 challenged or held by the risk step, anything else a failure). */
function statusCounts(results: autocannon.Result[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) counts[status] = (counts[status] ?? 0) + (count ?? 0);
  }
  return counts;
}

/**
 * The hardened charge path over HTTP (issue 11): ES256 DPoP-bound access tokens from the real FAPI link flow, a fresh
 * proof per request, the risk step on, 64 keep-alive connections, 200 links over 100 customers, PostgreSQL as the
 * server it is given (synchronous_commit on). Each kind of bank process is measured in ROUNDS rounds of GET /health
 * and charges on the same server, and the row quotes the median round.
 */
export async function runHardenedChargeBench(options: {
  admin_url: string;
  quick: boolean;
  kinds: HardenedServerKind[];
  progress: (line: string) => void;
}): Promise<HardenedBenchRow[]> {
  const database_url = await createFreshDatabase(options.admin_url, 'furikae_bench_hardened');
  const started = Date.now();
  const seed = await seedHardenedLinks({ database_url, customers: options.quick ? CUSTOMERS_QUICK : CUSTOMERS_FULL, progress: options.progress });
  options.progress(`hardened: ${seed.links.length} FAPI links seeded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const charges_per_round = options.quick ? CHARGES_PER_ROUND_QUICK : CHARGES_PER_ROUND_FULL;
  const health_seconds = options.quick ? HEALTH_SECONDS_QUICK : HEALTH_SECONDS_FULL;
  const rows: HardenedBenchRow[] = [];
  for (const kind of options.kinds) {
    const server = await kind.start({ database_url, port: seed.port, public_url: seed.url });
    try {
      await refreshSeededLinks(seed.links);
      await chargeRound(seed.links, seed.url, WARMUP_CHARGES);
      const recorded_before = await chargesRecorded(database_url);
      // FURIKAE_BENCH_PG_STAT_STATEMENTS=reset: pg_stat_statements (preloaded by whoever started the server) then
      // holds only the measured rounds, for the README's breakdown of SQL per charge.
      if (process.env.FURIKAE_BENCH_PG_STAT_STATEMENTS === 'reset') await resetStatementStats(database_url);
      const health: autocannon.Result[] = [];
      const charges: Array<autocannon.Result & { bank_cpu_ms: number }> = [];
      const load_averages: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        health.push(await autocannon({ url: `${seed.url}/health`, connections: HARDENED_CONNECTIONS, pipelining: 1, duration: health_seconds }));
        charges.push(await chargeRound(seed.links, seed.url, charges_per_round, server.cpu_ms));
        load_averages.push(loadavg()[0]!);
        const last = charges.at(-1)!;
        options.progress(`hardened ${kind.name} round ${round + 1}: /health ${Math.round(perSecond(health.at(-1)!))}/s, charges ${Math.round(perSecond(last))}/s p99 ${last.latency.p99} ms, bank CPU ${Math.round((last.bank_cpu_ms * 1000) / last.requests.total)} µs a charge, load ${loadavg()[0]!.toFixed(2)}`);
      }
      const charges_recorded = (await chargesRecorded(database_url)) - recorded_before;
      const health_per_second = median(health.map(perSecond));
      const charges_per_second = median(charges.map(perSecond));
      rows.push({
        name: kind.name,
        health_per_second: Math.round(health_per_second),
        charges_per_second: Math.round(charges_per_second),
        ratio_to_health: charges_per_second / health_per_second,
        latency_ms_p50: median(charges.map((result) => result.latency.p50)),
        latency_ms_p99: median(charges.map((result) => result.latency.p99)),
        bank_cpu_us_per_charge: median(charges.map((result) => (result.bank_cpu_ms * 1000) / result.requests.total)),
        non_2xx: charges.reduce((sum, result) => sum + result.non2xx, 0),
        errors: charges.reduce((sum, result) => sum + result.errors + result.timeouts, 0),
        load_averages,
        links_count: seed.links.length,
        statuses: statusCounts(charges),
        charges_recorded,
      });
    } finally {
      await server.stop();
    }
  }
  return rows;
}

/** The rows as the README's table: charges per second, the ratio to the same run's /health, p50 and p99. */
export function formatHardenedRows(rows: HardenedBenchRow[]): string[] {
  const lines = [`| hardened charges (DPoP, risk on, ${HARDENED_CONNECTIONS} connections, ${rows[0]?.links_count ?? 0} links) | /health per s | charges per s | ratio to /health | p50 ms | p99 ms | bank CPU µs a charge | load avg (1 min) |`, '|---|---:|---:|---:|---:|---:|---:|---|'];
  for (const row of rows) {
    const failures = row.errors + row.non_2xx > 0 ? ` (${row.errors} errors, ${row.non_2xx} non-2xx)` : '';
    lines.push(`| ${row.name}${failures} | ${row.health_per_second} | ${row.charges_per_second} | ${row.ratio_to_health.toFixed(3)}× | ${row.latency_ms_p50} | ${row.latency_ms_p99} | ${Math.round(row.bank_cpu_us_per_charge)} | ${row.load_averages.map((value) => value.toFixed(2)).join(', ')} |`);
  }
  const [first, second] = rows;
  if (first && second) lines.push(`\n${second.name} against ${first.name}: ${(second.charges_per_second / first.charges_per_second).toFixed(2)}× the charges per second`);
  for (const row of rows) {
    const answered = (row.statuses['201'] ?? 0) + (row.statuses['202'] ?? 0);
    lines.push(`# ${row.name}: answers ${Object.entries(row.statuses).map(([status, n]) => `${status} × ${n}`).join(', ')}; charge rows added ${row.charges_recorded} for ${answered} charges answered 201/202${row.charges_recorded === answered ? '' : ' — MISMATCH'}`);
  }
  return lines;
}
