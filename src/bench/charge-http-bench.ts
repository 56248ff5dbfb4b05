import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';

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
  /** PostgreSQL URL for the bench server, or undefined for in-memory PGlite. */
  database_url: string | undefined;
  /** Seconds each load runs; it stops by itself. */
  duration_seconds: number;
  /** Keep-alive connections from the load generator. */
  connections: number;
  links_count: number;
}

async function startServer(options: ChargeHttpBenchOptions) {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./bench-server.ts', import.meta.url).pathname], {
    env: { ...process.env, BENCH_DATABASE_URL: options.database_url ?? '', BENCH_LINKS: String(options.links_count) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise<{ url: string; tokens: string[] }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    lines.once('line', (line) => resolve(JSON.parse(line)));
  });
  return { ...ready, stop: () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); }) };
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
 * End-to-end charges over HTTP with keep-alive: a baseline of GET /health on the same server in the same run,
 * then POST /v1/charges with a fresh Idempotency-Key each, spread over many links.
 */
export async function runChargeHttpBench(options: ChargeHttpBenchOptions): Promise<HttpBenchRow[]> {
  const server = await startServer(options);
  try {
    const base = { url: server.url, connections: options.connections, duration: options.duration_seconds, pipelining: 1 };
    const health = await autocannon({ ...base, url: `${server.url}/health` });
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
    return [toRow('GET /health (HTTP baseline)', health), toRow('POST /v1/charges', charges)];
  } finally {
    await server.stop();
  }
}
