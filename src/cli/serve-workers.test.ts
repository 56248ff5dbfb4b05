import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../testing/free-port.ts';
import { PRODUCTION_ENV } from '../testing/production-env.ts';
import { freshPostgresUrl, testBackends } from '../testing/test-databases.ts';
import { logRecords, startServeProcess } from '../testing/serve-process.ts';
import { parseWorkers, WORKER_RESTARTS_MAX, WORKERS_PER_CORE_MAX } from './serve-workers.ts';

const CLI = new URL('./main.ts', import.meta.url).pathname;

describe('--workers is a whole number from 1 to four per core', () => {
  test('unset means one process, as before', () => assert.deepEqual(parseWorkers(undefined, 2), { ok: true, workers: 1 }));
  test('1 and the most for the cores pass', () => {
    assert.deepEqual(parseWorkers('1', 2), { ok: true, workers: 1 });
    assert.deepEqual(parseWorkers(String(2 * WORKERS_PER_CORE_MAX), 2), { ok: true, workers: 2 * WORKERS_PER_CORE_MAX });
  });
  test('0, one past the most, fractions, signs, words and blanks are refused with the range', () => {
    for (const text of ['0', String(2 * WORKERS_PER_CORE_MAX + 1), '2.5', '-1', '+2', 'two', '', ' 2', '1e1', '00000000002']) {
      const parsed = parseWorkers(text, 2);
      assert.equal(parsed.ok, false, text);
      assert.match((parsed as { problem: string }).problem, /from 1 to 8 \(4 per core on this machine's 2 cores\)/, text);
    }
  });
});

/** Runs the furikae command to its end. */
function runCli(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 120_000 });
}

test('serve refuses a bad --workers before opening anything', () => {
  const data_dir = mkdtempSync(join(tmpdir(), 'furikae-workers-'));
  try {
    const result = runCli(['serve', '--workers', '0'], { ...PRODUCTION_ENV, FURIKAE_DATA_DIR: data_dir });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /furikae serve: --workers must be a whole number from 1 to \d+/);
  } finally {
    rmSync(data_dir, { recursive: true, force: true });
  }
});

test('serve refuses several workers on embedded PGlite, even with --unsafe-embedded: one process owns it', () => {
  const data_dir = mkdtempSync(join(tmpdir(), 'furikae-workers-'));
  try {
    const result = runCli(['serve', '--workers', '2', '--unsafe-embedded'], { ...PRODUCTION_ENV, FURIKAE_DATA_DIR: data_dir, LOG_LEVEL: 'silent' });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /--workers above 1 needs PostgreSQL, and DATABASE_URL is unset/);
    assert.equal(result.stdout, '', 'nothing started');
  } finally {
    rmSync(data_dir, { recursive: true, force: true });
  }
});

// Several processes on one database exist only on a PostgreSQL server: PGlite is one in-process connection.
const postgres = testBackends.find((backend) => backend.name === 'postgres')!;
describe('furikae serve --workers 2 on PostgreSQL', { skip: postgres.skip }, () => {
  let env: NodeJS.ProcessEnv;
  before(async () => {
    env = {
      ...PRODUCTION_ENV, SMS_GATEWAY_URL: 'http://127.0.0.1:9/v1/messages', LOG_LEVEL: 'info', HOST: '127.0.0.1',
      METRICS_PORT: String(await freePort()), DATABASE_URL: await freshPostgresUrl(), FURIKAE_DATA_DIR: mkdtempSync(join(tmpdir(), 'furikae-workers-')),
    };
  });
  after(() => rmSync(env.FURIKAE_DATA_DIR!, { recursive: true, force: true }));

  test('two workers share --port, a killed worker is replaced and logged, /metrics sums them, and SIGTERM stops them all with exit 0', async () => {
    const port = await freePort();
    const bank = startServeProcess(['serve', '--workers', '2', '--port', String(port)], env);
    try {
      const banner = await bank.waitForLine((line) => line.startsWith('furikae bank listening'));
      assert.match(banner, new RegExp(`on http://127\\.0\\.0\\.1:${port} with 2 worker processes`));
      const started = () => logRecords(bank.lines).filter((record) => record.msg === 'bank worker started');
      const [first, second] = started().map((record) => record.pid as number);
      assert.ok(first && second && first !== second && first !== bank.child.pid, 'two worker processes besides the primary');
      for (let request = 0; request < 20; request++) {
        // A new connection each time, so the primary hands them round the workers.
        const health = await fetch(`http://127.0.0.1:${port}/health`, { headers: { connection: 'close' } });
        assert.equal(health.status, 200);
      }
      const metrics = await fetch(`http://127.0.0.1:${env.METRICS_PORT}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /# TYPE furikae_charges_total counter/);

      process.kill(first, 'SIGKILL');
      const died = await bank.waitForLine((line) => line.includes('bank worker died; starting another'));
      assert.equal(JSON.parse(died).pid, first);
      await bank.waitForLine(() => started().length === 3);
      const replacement = started()[2]!.pid as number;
      // The replacement takes connections again; until then the survivor answers alone.
      for (let request = 0; request < 20; request++) {
        assert.equal((await fetch(`http://127.0.0.1:${port}/health`, { headers: { connection: 'close' } })).status, 200);
      }
      assert.equal(await bank.stop('SIGTERM'), 0);
      for (const pid of [second, replacement]) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `worker ${pid} is gone`);
    } finally {
      await bank.stop('SIGKILL');
    }
  });

  /** The pids of the workers the primary logged as started, in order. */
  const startedPids = (bank: ReturnType<typeof startServeProcess>) =>
    logRecords(bank.lines).filter((record) => record.msg === 'bank worker started').map((record) => record.pid as number);

  /** Resolves once `pid` is gone, or rejects after `timeout_ms`. */
  async function gone(pid: number, timeout_ms = 30_000): Promise<void> {
    for (const deadline = Date.now() + timeout_ms; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
    }
    throw new Error(`process ${pid} still runs after ${timeout_ms} ms`);
  }

  test(`workers that keep dying (more than ${WORKER_RESTARTS_MAX} in a minute) stop the bank with exit 1 instead of being forked forever`, async () => {
    const bank = startServeProcess(['serve', '--workers', '2', '--port', String(await freePort())], env);
    try {
      await bank.waitForLine((line) => line.startsWith('furikae bank listening'));
      for (let death = 1; death <= WORKER_RESTARTS_MAX + 1; death++) {
        const pids = startedPids(bank);
        process.kill(pids[pids.length - 1]!, 'SIGKILL');
        if (death <= WORKER_RESTARTS_MAX) await bank.waitForLine(() => startedPids(bank).length === pids.length + 1);
      }
      await bank.waitForLine((line) => line.includes('bank workers keep dying; stopping the bank instead of restarting again'));
      assert.equal(await bank.stop(), 1);
      assert.equal(startedPids(bank).length, 2 + WORKER_RESTARTS_MAX, 'no fork after the bound');
      for (const pid of startedPids(bank)) await gone(pid);
    } finally {
      await bank.stop('SIGKILL');
    }
  });

  test('workers whose primary is killed stop by themselves and free the port', async () => {
    const port = await freePort();
    const bank = startServeProcess(['serve', '--workers', '2', '--port', String(port)], env);
    try {
      await bank.waitForLine((line) => line.startsWith('furikae bank listening'));
      const workers = startedPids(bank);
      assert.equal(await bank.stop('SIGKILL'), null);
      for (const pid of workers) await gone(pid);
      await assert.rejects(fetch(`http://127.0.0.1:${port}/health`), 'nothing listens');
    } finally {
      await bank.stop('SIGKILL');
    }
  });

  test('a worker that cannot start (its port taken) stops the start: the primary exits 1 naming it, and no worker is left', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const bank = startServeProcess(['serve', '--workers', '2', '--port', String(port)], env);
    try {
      await bank.waitForLine((line) => line.includes('a bank worker died while starting; stopping the bank'));
      assert.equal(await bank.stop(), 1);
      assert.ok(!bank.lines.some((line) => line.startsWith('furikae bank listening')), 'it never claimed to listen');
      for (const pid of startedPids(bank)) await gone(pid);
    } finally {
      taken.close();
      await bank.stop('SIGKILL');
    }
  });
});
