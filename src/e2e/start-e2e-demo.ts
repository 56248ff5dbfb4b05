/**
 * The demo as `furikae demo` starts it (src/cli/start-demo.ts), for the end-to-end tests: the seeded bank, the
 * 2020-policy wallet and the hardened wallet, each on a free loopback port, on one test backend, with a clock
 * the test can move (so authenticator codes are made "at the bank's clock" without waiting 30 seconds).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../config.ts';
import { startDemo, type RunningDemo } from '../cli/start-demo.ts';
import { ManualClock } from '../shared/clock.ts';
import { freePort } from '../testing/free-port.ts';
import { freshPostgresUrl, type TestBackend } from '../testing/test-databases.ts';

/** The running demo, with its configuration and its clock. */
export interface E2eDemo extends RunningDemo {
  config: Config;
  clock: ManualClock;
  /** Stops everything and removes the PGlite folder. */
  stop(): Promise<void>;
}

/** Starts the whole demo on `backend`: PGlite in a temporary folder, or a fresh PostgreSQL database with one schema per app. */
export async function startE2eDemo(backend: TestBackend): Promise<E2eDemo> {
  const data_dir = mkdtempSync(join(tmpdir(), 'furikae-e2e-'));
  const [bank_port, wallet_port, wallet_secure_port] = [await freePort(), await freePort(), await freePort()];
  const config = loadConfig({
    BANK_PORT: String(bank_port), WALLET_PORT: String(wallet_port), WALLET_SECURE_PORT: String(wallet_secure_port), METRICS_PORT: '0',
    FURIKAE_DATA_DIR: data_dir, LOG_LEVEL: process.env.FURIKAE_TEST_LOG ?? 'silent',
    ...(backend.name === 'postgres' ? { DATABASE_URL: await freshPostgresUrl() } : {}),
  });
  // Real time at the start, since the browser and the OAuth tokens live in real time; it moves only when told to.
  const clock = new ManualClock(new Date());
  const demo = await startDemo(config, { clock });
  return {
    ...demo,
    config,
    clock,
    async stop() {
      await demo.close();
      rmSync(data_dir, { recursive: true, force: true });
    },
  };
}
