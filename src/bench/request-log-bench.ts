/**
 * What logging every request at `info` costs, in CPU per request, in one process and one run: the same route behind
 * Fastify's two lines per request ("incoming request", "request completed"), behind furikae's one line
 * (src/http/one-line-per-request.ts), and with the log at `warn` (no request lines), in alternating rounds. The logger
 * is the bank's (createLogger: JSON, secrets redacted) writing synchronously to /dev/null, so the cost is building,
 * redacting and writing each line, not a terminal. CPU time is steadier than throughput on a shared machine.
 *
 *   npx tsx src/bench/request-log-bench.ts [--requests 20000] [--rounds 5]
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createLogger } from '../shared/logger.ts';
import { OneLinePerRequest } from '../http/one-line-per-request.ts';

/** Requests per round unless told: enough that a round takes about a second of CPU. */
const REQUESTS_DEFAULT = 20_000;
const ROUNDS_DEFAULT = 5;

function appWith(variant: 'two lines' | 'one line' | 'warn'): FastifyInstance {
  const log = createLogger({ level: variant === 'warn' ? 'warn' : 'info' }, pino.destination({ dest: '/dev/null', sync: true }));
  const app = Fastify({ loggerInstance: log, ...(variant === 'one line' ? { logController: new OneLinePerRequest() } : {}) }) as unknown as FastifyInstance;
  // A charge's shape: a JSON body in, a JSON object out.
  app.post('/v1/charges', async (request) => ({ id: '0190b6a4-0000-7000-8000-000000000000', status: 'succeeded', ...(request.body as object) }));
  return app;
}

async function cpuPerRequestUs(app: FastifyInstance, requests: number): Promise<number> {
  const before = process.cpuUsage();
  for (let n = 0; n < requests; n++) {
    await app.inject({ method: 'POST', url: '/v1/charges', headers: { 'content-type': 'application/json', authorization: 'DPoP eyJ.secret' }, payload: '{"amount_yen":1}' });
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / requests;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { requests: { type: 'string' }, rounds: { type: 'string' } } });
  const requests = Number(values.requests ?? REQUESTS_DEFAULT);
  const rounds = Number(values.rounds ?? ROUNDS_DEFAULT);
  if (!Number.isSafeInteger(requests) || requests < 1 || !Number.isSafeInteger(rounds) || rounds < 1) throw new Error('--requests and --rounds must be positive whole numbers');
  const variants = ['two lines', 'one line', 'warn'] as const;
  const apps = Object.fromEntries(variants.map((variant) => [variant, appWith(variant)])) as Record<(typeof variants)[number], FastifyInstance>;
  for (const variant of variants) await cpuPerRequestUs(apps[variant], 2_000); // warm-up: JIT
  const samples: Record<string, number[]> = Object.fromEntries(variants.map((variant) => [variant, []]));
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) samples[variant]!.push(await cpuPerRequestUs(apps[variant], requests));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  console.log(`# request logging, ${requests} requests × ${rounds} rounds each, alternating; load ${loadavg()[0]!.toFixed(2)}`);
  console.log('| logging | CPU µs per request (median) | rounds |');
  console.log('|---|---:|---|');
  for (const variant of variants) {
    const label = { 'two lines': 'info, Fastify\'s two lines (before)', 'one line': 'info, one line per request (after)', warn: 'warn: no request lines' }[variant];
    console.log(`| ${label} | ${median(samples[variant]!).toFixed(1)} | ${samples[variant]!.map((value) => value.toFixed(1)).join(', ')} |`);
  }
  for (const app of Object.values(apps)) await app.close();
}

await main();
