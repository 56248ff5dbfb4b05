/**
 * The bank for the hardened charge benchmark, in its own process on a database the bench already seeded with FAPI
 * links (src/bench/hardened-charge-seed.ts): wall-clock time, the risk step on with the benchmark's config, the
 * limiter running with its limits out of reach, logging at warn unless LOG_LEVEL says otherwise. BENCH_WORKERS bank
 * processes (node:cluster) share the port. Prints one JSON line { url } on stdout when every worker listens; stops
 * them all on SIGTERM.
 * Env: BENCH_DATABASE_URL (PostgreSQL), BENCH_PORT and BENCH_PUBLIC_URL (the seeding bank's, so the tokens' issuer
 * and the proofs' htu match); LOG_LEVEL (warn unless set, e.g. info to measure logging every request).
 */
import cluster from 'node:cluster';
import { createSimulatedSimSwapApi } from '../telecom/simulated-sim-swap-api.ts';
import { once } from 'node:events';
import { openDatabase } from '../storage/open-database.ts';
import { createSmsSimulator } from '../notify/sms-simulator.ts';
import { createBankApp } from '../bank-app.ts';
import { systemClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { FIXTURE_AUDIT_KEY, FIXTURE_CREDENTIAL_KEY, FIXTURE_NOT_ME_KEY } from '../testing/bank-fixture.ts';
import { benchRiskConfig } from './bench-risk-config.ts';
import { BENCH_RATE_LIMITS } from './bench-rate-limits.ts';

const database_url = process.env.BENCH_DATABASE_URL;
const port = Number(process.env.BENCH_PORT);
const public_url = process.env.BENCH_PUBLIC_URL;
if (!database_url || !Number.isSafeInteger(port) || !public_url) throw new Error('BENCH_DATABASE_URL, BENCH_PORT and BENCH_PUBLIC_URL are required');

/** Bank processes: BENCH_WORKERS, 1 unless told; they share the port through node:cluster, as `serve --workers N` runs them. */
const workers = Number(process.env.BENCH_WORKERS ?? 1);
if (!Number.isSafeInteger(workers) || workers < 1) throw new Error('BENCH_WORKERS must be a positive whole number');

if (cluster.isPrimary) {
  for (let index = 0; index < workers; index++) cluster.fork();
  await Promise.all(Object.values(cluster.workers ?? {}).map((worker) => once(worker!, 'listening')));
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
  process.once('SIGTERM', async () => {
    const live = Object.values(cluster.workers ?? {});
    const exits = live.map((worker) => once(worker!, 'exit'));
    for (const worker of live) worker!.process.kill('SIGTERM');
    await Promise.all(exits);
    process.exit(0);
  });
} else {
  const db = await openDatabase({ database_url, application_name: 'furikae-bench' });
  const bank = await createBankApp({
    db, clock: systemClock, ids: createIds(systemClock), log: createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }),
    // The seeding bank's keys (the fixture's), so this process reads what it wrote, as a second bank process would.
    credential_fingerprint_key: FIXTURE_CREDENTIAL_KEY, audit_key: FIXTURE_AUDIT_KEY, not_me_key: FIXTURE_NOT_ME_KEY,
    // A benchmark, not a bank: no charge here sends a text.
    sms: createSmsSimulator({ clock: systemClock }), simSwap: createSimulatedSimSwapApi({ clock: systemClock }), public_url,
    rate_limits: BENCH_RATE_LIMITS, risk: { config: benchRiskConfig() },
  });
  await bank.app.listen({ host: '127.0.0.1', port });
  process.once('SIGTERM', async () => {
    await bank.close();
    await db.close();
    process.exit(0);
  });
}
