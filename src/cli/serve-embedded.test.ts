import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../testing/free-port.ts';
import { PRODUCTION_ENV } from '../testing/production-env.ts';
import { TEST_HASH_COST_ENV } from '../shared/secret-hash.ts';

const CLI = new URL('./main.ts', import.meta.url).pathname;

/** The environment of a `furikae serve` with no DATABASE_URL and every other production setting. */
function serveEnv(data_dir: string, port: number, metrics_port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env, ...PRODUCTION_ENV, FURIKAE_DATA_DIR: data_dir, BANK_PORT: String(port), METRICS_PORT: String(metrics_port), LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  // npm test's hash cost is a reason serve refuses (src/config.ts); this bank hashes at the production cost.
  delete env[TEST_HASH_COST_ENV];
  return env;
}

describe('furikae serve and embedded PGlite', () => {
  test('without DATABASE_URL, serve refuses to start, says why and how, and touches no data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'furikae-serve-'));
    try {
      const refused = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'serve'], { env: serveEnv(dir, await freePort(), await freePort()), encoding: 'utf8', timeout: 120_000 });
      assert.equal(refused.status, 1, refused.stderr);
      assert.match(refused.stderr, /PGlite is for the demo and the lab/);
      assert.match(refused.stderr, /no standby/);
      assert.match(refused.stderr, /DATABASE_URL=postgres:/);
      assert.match(refused.stderr, /--unsafe-embedded/);
      assert.deepEqual(readdirSync(dir), [], 'no database was created');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('with --unsafe-embedded it starts on PGlite, warns, and answers /health and /ready', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'furikae-serve-'));
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--unsafe-embedded'], { env: serveEnv(dir, port, await freePort()), stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    try {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${output.join('')}`)));
        createInterface({ input: child.stdout }).on('line', (line) => {
          output.push(line);
          if (line.includes('furikae bank listening on')) resolve();
        });
      });
      assert.match(output.join('\n'), /running on embedded PGlite \(--unsafe-embedded\)/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
