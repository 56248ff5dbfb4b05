/**
 * `npm test`: runs every *.test.ts under src/ with node's test runner, against PGlite and PostgreSQL.
 * PostgreSQL comes from DATABASE_URL if set, else from a throwaway cluster made with the system's initdb;
 * where neither exists, the PostgreSQL half is skipped and the run says so.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findPostgresBin, startThrowawayCluster, type ThrowawayCluster } from '../src/testing/postgres-cluster.ts';

function findTests(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = findTests('src').filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)));
let cluster: ThrowawayCluster | undefined;
const env = { ...process.env };
if (process.env.DATABASE_URL) {
  env.TEST_POSTGRES_URL = process.env.DATABASE_URL;
  console.log(`# PostgreSQL: using DATABASE_URL`);
} else {
  const bin = findPostgresBin();
  if (bin) {
    cluster = await startThrowawayCluster(bin);
    env.TEST_POSTGRES_URL = cluster.url;
    console.log(`# PostgreSQL: throwaway cluster from ${bin} at ${cluster.url}`);
  } else {
    console.log('# PostgreSQL: NOT INSTALLED — every PostgreSQL variant below is skipped. Install postgresql to run them.');
  }
}
delete env.DATABASE_URL;
try {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000', ...files],
    { stdio: 'inherit', env },
  );
  process.exitCode = result.status ?? 1;
} finally {
  cluster?.stop();
}
