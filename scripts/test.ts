/**
 * `npm test`: runs every *.test.ts under src/ with node's test runner, against PGlite and PostgreSQL.
 * PostgreSQL comes from DATABASE_URL if set, else from a throwaway cluster made with the system's initdb.
 *
 * Skips are listed at the end with what was missing. Under CI=true any skipped or to-do test or suite fails the
 * run, and so does a missing PostgreSQL, before anything runs: CI proves every backend and every browser suite.
 * `npm run test:deep` (`--deep`) runs the property tests ten times longer (docs/testing.md).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPostgresBin, startThrowawayCluster, type ThrowawayCluster } from '../src/testing/postgres-cluster.ts';
import { CHROMIUM_PATH } from '../src/testing/browser.ts';
import { DEEP_TESTS_ENV } from '../src/testing/property-runs.ts';
import { withFurikaeProcessEnv } from '../bin/process-env.js';
import { TEST_HASH_COST_ENV } from '../src/shared/secret-hash.ts';

/**
 * Every file in node's test runner has this long. The slowest (the lab's replays, "this wasn't me") took 101 to 146 s
 * in two CI runs with secrets at the test cost; the limit is there to end a hang, not to time the suite.
 */
const TEST_FILE_TIMEOUT_MS = 1_200_000;
/** A deep run's property files make ten times the runs, and a nightly job has the time. */
const TEST_FILE_TIMEOUT_MS_DEEP = 3_600_000;
/** Two test files at a time: the machine has two cores, and each file may start its own bank, browser or cluster connections. */
const TEST_FILES_CONCURRENT_MAX = 2;

interface Skipped {
  outcome: 'skipped' | 'todo';
  kind: 'suite' | 'test';
  name: string;
  file?: string;
  reason: string;
}

function findTests(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

/** CI=true (or any value but false and 0), as CI services set it. */
function isCi(value = process.env.CI): boolean {
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

const args = process.argv.slice(2);
const deep = args.includes('--deep');
const filters = args.filter((arg) => arg !== '--deep');
const ci = isCi();
const files = findTests('src').filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)));
let cluster: ThrowawayCluster | undefined;
// Secrets hash at the test cost in every test process and whatever it starts (src/shared/secret-hash.ts).
const env: NodeJS.ProcessEnv = withFurikaeProcessEnv({
  ...process.env,
  [TEST_HASH_COST_ENV]: process.env[TEST_HASH_COST_ENV] ?? '1',
  ...(deep ? { [DEEP_TESTS_ENV]: '1' } : {}),
});
let postgres = 'none';
if (process.env.DATABASE_URL) {
  env.TEST_POSTGRES_URL = process.env.DATABASE_URL;
  postgres = 'DATABASE_URL';
  console.log(`# PostgreSQL: using DATABASE_URL`);
} else {
  const bin = findPostgresBin();
  if (bin) {
    cluster = await startThrowawayCluster(bin);
    env.TEST_POSTGRES_URL = cluster.url;
    postgres = `throwaway cluster from ${bin}`;
    console.log(`# PostgreSQL: throwaway cluster from ${bin} at ${cluster.url}`);
  } else if (ci) {
    console.log('# CI=true: PostgreSQL is required and missing (no DATABASE_URL, no initdb under /usr/lib/postgresql or on PATH). Install postgresql (.ci/run does).');
    process.exit(1);
  } else {
    console.log('# PostgreSQL: NOT INSTALLED — every PostgreSQL variant below is skipped. Install postgresql to run them.');
  }
}
console.log(`# Chromium: ${CHROMIUM_PATH ?? 'NOT FOUND on PATH — every browser suite below is skipped'}${deep ? '; deep run: property tests at full length' : ''}`);
delete env.DATABASE_URL;

const reportFolder = mkdtempSync(join(tmpdir(), 'furikae-test-report-'));
const reportPath = join(reportFolder, 'skips.jsonl');
/** Stops the throwaway cluster and removes the report, once, however the run ends. */
function cleanUp(): void {
  rmSync(reportFolder, { recursive: true, force: true });
  cluster?.stop();
  cluster = undefined;
}
try {
  const child = spawn(
    process.execPath,
    [
      '--import', 'tsx', '--test', `--test-concurrency=${TEST_FILES_CONCURRENT_MAX}`, `--test-timeout=${deep ? TEST_FILE_TIMEOUT_MS_DEEP : TEST_FILE_TIMEOUT_MS}`,
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      `--test-reporter=${join(import.meta.dirname, 'skip-reporter.mjs')}`, `--test-reporter-destination=${reportPath}`,
      ...files,
    ],
    { stdio: 'inherit', env },
  );
  // Interrupted (Ctrl-C, a CI time-out): stop the tests, then the cluster, rather than leave a server running.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      child.kill(signal);
      console.log(`# ${signal}: stopping the tests and the throwaway cluster`);
      cleanUp();
      process.exit(130);
    });
  }
  const [code] = (await once(child, 'exit')) as [number | null];
  process.exitCode = code ?? 1;
  const lines = readFileSync(reportPath, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const skipped: Skipped[] = lines.filter((line) => 'outcome' in line);
  const counts: Record<string, number> = lines.find((line) => 'counts' in line)?.counts ?? {};
  for (const skip of skipped) {
    console.log(`# ${skip.outcome} ${skip.kind}: ${skip.file ?? '?'} › ${skip.name}${skip.reason ? ` — ${skip.reason}` : ''}`);
  }
  const suitesSkipped = skipped.filter((skip) => skip.kind === 'suite').length;
  if (ci && skipped.length > 0) {
    const missing = [...new Set(skipped.map((skip) => skip.reason || 'no reason given'))];
    console.log(`# CI=true: ${skipped.length} skipped or to-do (CI runs everything), so the run fails. Missing: ${missing.join('; ')}`);
    process.exitCode = 1;
  }
  console.log(
    `# tests ${counts.tests ?? '?'} · pass ${counts.pass ?? '?'} · fail ${counts.fail ?? '?'} · cancelled ${counts.cancelled ?? '?'} · ` +
      `skipped ${counts.skipped ?? '?'} tests and ${suitesSkipped} suites · todo ${counts.todo ?? '?'} · PostgreSQL: ${postgres} · ` +
      `Chromium: ${CHROMIUM_PATH ?? 'none'}${ci ? ' · CI' : ''} · ${process.exitCode === 0 ? 'OK' : 'FAILED'}`,
  );
} finally {
  cleanUp();
}
