import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { startBenchServerProcess } from './bench-server-process.ts';

/** One line of the HTTP table. */
export interface HttpBenchRow {
  name: string;
  requests_per_second: number;
  latency_ms_median: number;
  latency_ms_p99: number;
  errors: number;
  non_2xx: number;
}

export interface ChargeHttpBenchOptions {
  /** PostgreSQL URL for the bench server, or undefined for PGlite. */
  database_url: string | undefined;
  /** PGlite: a data folder instead of memory, and whether it syncs on commit (the default for a folder). */
  pglite?: { dir: string; sync_on_commit: boolean };
  /** Seconds each load runs; it stops by itself. */
  duration_seconds: number;
  /** Keep-alive connections from the load generator. */
  connections: number;
  links_count: number;
  /** Whether the charge path runs the risk step (with the benchmark's config) or drops it. */
  risk: boolean;
  /** Also measure GET /health on the same server, as the run's HTTP baseline. */
  health_baseline: boolean;
}

/** The rows measured, and how the server answered the charges (by HTTP status: 201 charged, 202 challenged or held). */
export interface ChargeHttpBenchResult {
  rows: HttpBenchRow[];
  outcomes: Record<string, number>;
}

function startServer(options: ChargeHttpBenchOptions) {
  return startBenchServerProcess({
    BENCH_DATABASE_URL: options.database_url ?? '', BENCH_LINKS: String(options.links_count), BENCH_RISK: options.risk ? 'on' : 'off',
    BENCH_PGLITE_DIR: options.pglite?.dir ?? '', BENCH_PGLITE_SYNC: options.pglite?.sync_on_commit === false ? 'off' : 'on',
  });
}

function toRow(name: string, result: autocannon.Result): HttpBenchRow {
  return {
    name,
    requests_per_second: Math.round(result.requests.total / (result.duration || 1)),
    latency_ms_median: result.latency.p50,
    latency_ms_p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non_2xx: result.non2xx,
  };
}

/**
 * The charges' answers by HTTP status, as the load generator counted them. (The bank's furikae_charges_total is on its
 * separate metrics listener, which this bench server does not start.)
 */
function chargeOutcomes(result: autocannon.Result): Record<string, number> {
  return Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => [`status ${status}`, count ?? 0]));
}

/**
 * End-to-end charges over HTTP with keep-alive: optionally a baseline of GET /health on the same server in the same
 * run, then POST /v1/charges with a fresh Idempotency-Key each, spread over many links, with or without the risk step.
 */
export async function runChargeHttpBench(options: ChargeHttpBenchOptions): Promise<ChargeHttpBenchResult> {
  const server = await startServer(options);
  try {
    const base = { url: server.url, connections: options.connections, duration: options.duration_seconds, pipelining: 1 };
    const health = options.health_baseline ? await autocannon({ ...base, url: `${server.url}/health` }) : undefined;
    const prefix = randomBytes(6).toString('hex');
    let sent = 0;
    const charges = await autocannon({
      ...base,
      url: `${server.url}/v1/charges`,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            const n = sent++;
            return {
              ...request,
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${server.tokens[n % server.tokens.length]}`,
                'idempotency-key': `${prefix}-${n}`,
              },
              body: '{"amount_yen":1}',
            };
          },
        },
      ],
    });
    const rows = [
      ...(health ? [toRow('GET /health (HTTP baseline)', health)] : []),
      toRow(`POST /v1/charges, risk ${options.risk ? 'on' : 'off'}`, charges),
    ];
    return { rows, outcomes: chargeOutcomes(charges) };
  } finally {
    await server.stop();
  }
}
