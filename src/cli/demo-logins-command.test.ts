import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { loadConfig } from '../config.ts';
import { createDemoLogger } from './start-demo.ts';
import { freePort } from '../testing/free-port.ts';
import { DEMO_CUSTOMERS, DEMO_STAFF } from '../demo/demo-seed.ts';

const CLI = new URL('./main.ts', import.meta.url).pathname;

/** The lines a logger writes, as parsed JSON. */
function capture(): { lines: Array<{ level: number; msg: string }>; stream: Writable } {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({ write(chunk, _encoding, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  return { lines, stream };
}

/** Runs `furikae …` as a person would, and returns its exit code and output. */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data) => { stdout += data; });
    child.stderr.on('data', (data) => { stderr += data; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the demo keeps its start-up text readable', () => {
  test('logs warnings and errors only when LOG_LEVEL is unset, so requests do not scroll the logins away', () => {
    const { lines, stream } = capture();
    const log = createDemoLogger(loadConfig({}), stream);
    log.info({ url: '/bank/login' }, 'request completed');
    log.warn('a warning');
    assert.deepEqual(lines.map((line) => line.msg), ['a warning']);
  });

  test('logs every request when LOG_LEVEL (or --log-level) raises it to info', () => {
    const { lines, stream } = capture();
    const log = createDemoLogger(loadConfig({ LOG_LEVEL: 'info' }), stream);
    log.info('request completed');
    assert.deepEqual(lines.map((line) => line.msg), ['request completed']);
  });

  test('furikae demo --logins prints the logins and says no demo answers when none runs', async () => {
    const bank_port = await freePort();
    const result = await runCli(['demo', '--logins'], { BANK_PORT: String(bank_port) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`No demo answers at http://127\\.0\\.0\\.1:${bank_port}`));
    for (const customer of DEMO_CUSTOMERS) assert.ok(result.stdout.includes(`login ${customer.login_id} / ${customer.password}`), customer.login_id);
    assert.ok(result.stdout.includes(`login ${DEMO_STAFF.login_id} / ${DEMO_STAFF.password}`));
    assert.ok(result.stdout.includes(`http://127.0.0.1:${bank_port}/bank/login`));
  });

  test('furikae demo --logins says a demo answers when one runs on the configured port', async () => {
    const bank = Fastify();
    bank.get('/health', async () => ({ ok: true }));
    const bank_port = await freePort();
    await bank.listen({ host: '127.0.0.1', port: bank_port });
    try {
      const result = await runCli(['demo', '--logins'], { BANK_PORT: String(bank_port) });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`A demo bank answers at http://127\\.0\\.0\\.1:${bank_port}`));
      assert.ok(result.stdout.includes(`login ${DEMO_CUSTOMERS[0]!.login_id} / ${DEMO_CUSTOMERS[0]!.password}`));
    } finally {
      await bank.close();
    }
  });

  test('furikae demo --log-level refuses a level that does not exist, naming the choices', async () => {
    const result = await runCli(['demo', '--logins', '--log-level', 'loud'], {});
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /LOG_LEVEL must be one of fatal, error, warn, info/);
  });
});
