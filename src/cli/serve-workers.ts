import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { AggregatorRegistry } from 'prom-client';
import { serveSettingProblems, type Config } from '../config.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { systemClock } from '../shared/clock.ts';
import { createMetricsApp } from '../metrics/metrics-app.ts';
import { POSTGRES_CONNECTIONS_MAX_DEFAULT } from '../storage/postgres-database.ts';
import type { Database } from '../storage/database.ts';
import { openStores } from './open-stores.ts';
import { createServedBank, serveProblems, serveRefusal } from './serve.ts';

/**
 * Bank processes per core at most. A bank process is one event loop that spends much of each charge waiting on
 * PostgreSQL, so a few per core can keep a core busy; past four they only contend for it and for connections.
 */
export const WORKERS_PER_CORE_MAX = 4;

/**
 * Worker deaths the primary replaces within WORKER_RESTART_WINDOW_MS before it gives up and stops the bank. One
 * crash (a bug on a rare request, the OOM killer) is replaced at once; a worker that dies again and again (a bad
 * deploy, a lost secret) must stop the service and page someone, not spin forking forever.
 */
export const WORKER_RESTARTS_MAX = 5;
export const WORKER_RESTART_WINDOW_MS = 60_000;

/**
 * How long the workers may drain (answer what they accepted, stop their jobs, anchor the audit chain) after
 * SIGTERM before the primary kills them: under the 30 s an orchestrator waits before its own SIGKILL.
 */
export const WORKER_DRAIN_MS = 25_000;

/** Connections the server keeps beyond the workers' pools: the primary's own, migrations, psql, monitoring, the standby. */
export const CONNECTIONS_HEADROOM = 10;

/** `--workers` as given: a whole number from 1 to WORKERS_PER_CORE_MAX per core, or the problem to print. */
export function parseWorkers(text: string | undefined, cores: number): { ok: true; workers: number } | { ok: false; problem: string } {
  const workers_max = cores * WORKERS_PER_CORE_MAX;
  if (text === undefined) return { ok: true, workers: 1 };
  const workers = /^[0-9]{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (workers >= 1 && workers <= workers_max) return { ok: true, workers };
  return {
    ok: false,
    problem: `--workers must be a whole number from 1 to ${workers_max} (${WORKERS_PER_CORE_MAX} per core on this machine's ${cores} cores); got "${text}"`,
  };
}

/** Why several processes cannot run on embedded PGlite, whatever `--unsafe-embedded` says. */
const WORKERS_NEED_POSTGRES = `--workers above 1 needs PostgreSQL, and DATABASE_URL is unset.
    Embedded PGlite is one connection inside one process: a second bank process cannot open the same database.
    Set DATABASE_URL=postgres://… (or run one process: --workers 1).`;

/** The refusal when the server cannot give every worker its pool; undefined when it can. */
async function connectionBudgetProblem(db: Database, workers: number): Promise<string | undefined> {
  const [row] = await db.query<{ available: number }>(
    `SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int AS available`);
  const needed = workers * POSTGRES_CONNECTIONS_MAX_DEFAULT + CONNECTIONS_HEADROOM;
  if (!row || row.available >= needed) return undefined;
  return `${workers} workers need up to ${needed} PostgreSQL connections (${POSTGRES_CONNECTIONS_MAX_DEFAULT} each and ${CONNECTIONS_HEADROOM} to spare); `
    + `the server allows ${row.available}: raise max_connections, or run fewer workers`;
}

/** Where the primary stands with its workers. */
interface Supervision {
  /** Resolves when every worker has exited. */
  stopAll(): Promise<void>;
  /** Resolves (with 1) when the workers die faster than WORKER_RESTARTS_MAX per window, or one dies starting; stopAll() then stops the rest. */
  gaveUp: Promise<number>;
}

/** Forks `workers` bank processes, replaces one that dies (within the restart bound), and stops them all on demand. */
function superviseWorkers(workers: number, log: Logger, started: () => void): Supervision {
  const live = new Set<Worker>();
  const restarts_at_ms: number[] = [];
  let stopping = false;
  let listening = 0;
  let giveUp!: (code: number) => void;
  const gaveUp = new Promise<number>((resolve) => (giveUp = resolve));
  const stopAll = async () => {
    stopping = true;
    const exits = [...live].map((worker) => once(worker, 'exit'));
    for (const worker of live) worker.process.kill('SIGTERM');
    const killer = setTimeout(() => {
      for (const worker of live) {
        log.error({ worker: worker.id, pid: worker.process.pid }, `bank worker still draining after ${WORKER_DRAIN_MS} ms; killing it`);
        worker.process.kill('SIGKILL');
      }
    }, WORKER_DRAIN_MS);
    await Promise.all(exits);
    clearTimeout(killer);
  };
  const fork = () => {
    const worker = cluster.fork();
    live.add(worker);
    log.info({ worker: worker.id, pid: worker.process.pid }, 'bank worker started');
    worker.once('listening', () => {
      if (++listening === workers) started();
    });
    worker.once('exit', (code, signal) => {
      live.delete(worker);
      if (stopping) return;
      if (listening < workers) {
        // A worker that cannot start (port taken, database away) would fail the same way again.
        log.fatal({ worker: worker.id, pid: worker.process.pid, code, signal }, 'a bank worker died while starting; stopping the bank');
        stopping = true;
        giveUp(1);
        return;
      }
      const now_ms = systemClock.now().getTime();
      while (restarts_at_ms.length > 0 && restarts_at_ms[0]! <= now_ms - WORKER_RESTART_WINDOW_MS) restarts_at_ms.shift();
      if (restarts_at_ms.length >= WORKER_RESTARTS_MAX) {
        log.fatal({ worker: worker.id, pid: worker.process.pid, code, signal, restarts: restarts_at_ms.length, window_ms: WORKER_RESTART_WINDOW_MS },
          'bank workers keep dying; stopping the bank instead of restarting again');
        stopping = true;
        giveUp(1);
        return;
      }
      restarts_at_ms.push(now_ms);
      log.error({ worker: worker.id, pid: worker.process.pid, code, signal }, 'bank worker died; starting another');
      fork();
    });
  };
  for (let index = 0; index < workers; index++) fork();
  return { stopAll, gaveUp };
}

/**
 * `furikae serve --workers N` (N > 1), the primary process: checks the configuration and migrates the database once,
 * forks N bank processes that share the port (node:cluster hands connections round-robin), serves /metrics summed
 * over them, replaces a worker that dies, and on `until` (SIGTERM, SIGINT) lets them drain and stop. Resolves with
 * the exit code.
 */
export async function serveWorkers(config: Config, env: NodeJS.ProcessEnv, until: Promise<void>, { workers }: { workers: number }): Promise<number> {
  const log = createLogger({ level: config.log_level ?? 'info' }).child({ role: 'primary' });
  if (!config.database_url) {
    console.error(serveRefusal([WORKERS_NEED_POSTGRES, ...serveSettingProblems(env)]));
    return 1;
  }
  const { bankDb } = await openStores(config, { wallet: false, log });
  try {
    const problems = await serveProblems(env, bankDb);
    const budget = await connectionBudgetProblem(bankDb, workers);
    if (budget) problems.push(budget);
    if (problems.length > 0) {
      console.error(serveRefusal(problems));
      return 1;
    }
  } finally {
    await bankDb.close();
  }
  const aggregator = new AggregatorRegistry();
  const metrics = createMetricsApp({
    metrics: { registry: { contentType: aggregator.contentType, metrics: () => aggregator.clusterMetrics() } }, log: log.child({ part: 'metrics' }),
  });
  const metricsAddress = await metrics.listen({ host: config.metrics_host, port: config.metrics_port });
  const supervision = superviseWorkers(workers, log, () => {
    console.log(`furikae bank listening on http://${config.host}:${config.bank_port} with ${workers} worker processes `
      + `(public origin ${config.public_url}, docs at /docs); metrics of all workers at ${metricsAddress}/metrics`);
  });
  try {
    const code = await Promise.race([until.then(() => 0), supervision.gaveUp]);
    await supervision.stopAll();
    return code;
  } finally {
    await metrics.close();
  }
}

/** Resolves when a worker should drain: a signal, or its primary gone (never leave an orphan holding the port). */
export function workerStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    process.once('disconnect', () => resolve());
  });
}

/** One bank process under `serve --workers N`: the database is migrated and checked by the primary; it serves until `until`. */
export async function serveWorker(config: Config, until: Promise<void>): Promise<number> {
  const log = createLogger({ level: config.log_level ?? 'info' }).child({ worker: cluster.worker?.id });
  const { bankDb } = await openStores(config, { wallet: false, log, migrate: false });
  try {
    const bank = await createServedBank(config, bankDb, log);
    try {
      // The primary's /metrics asks each worker over IPC; constructing an aggregator installs the worker's answer.
      new AggregatorRegistry();
      AggregatorRegistry.setRegistries([bank.services.metrics.registry]);
      await bank.app.listen({ host: config.host, port: config.bank_port });
      await until;
    } finally {
      await bank.close();
    }
    return 0;
  } finally {
    await bankDb.close();
  }
}
