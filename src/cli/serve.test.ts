import { after, before, describe, mock, test } from 'node:test';
import { createSimulatedSimSwapApi } from '../telecom/simulated-sim-swap-api.ts';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_SECRETS, loadConfig } from '../config.ts';
import { createBankServices } from '../bank-services.ts';
import { seedDemoBank, DEMO_SECURE_WALLET_CLIENT_SECRET, DEMO_STAFF_MEMBERS, DEMO_STAFF_TOTP_SECRET } from '../demo/demo-seed.ts';
import { createSmsSimulator } from '../notify/sms-simulator.ts';
import { systemClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { freePort } from '../testing/free-port.ts';
import { PRODUCTION_ENV } from '../testing/production-env.ts';
import { freshPostgresUrl, testBackends } from '../testing/test-databases.ts';
import { openStores } from './open-stores.ts';
import { serve } from './serve.ts';

/** A stand-in SMS gateway on loopback that accepts every message. */
async function startSmsGateway(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(202).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/messages`, server };
}

/** Runs serve until `stop` is called, with console.error captured; resolves with its exit code and what it printed. */
function runServe(env: NodeJS.ProcessEnv) {
  const errors: string[] = [];
  const captured = mock.method(console, 'error', (...args: unknown[]) => void errors.push(args.join(' ')));
  const silenced = mock.method(console, 'log', () => {});
  let stop!: () => void;
  const until = new Promise<void>((resolve) => (stop = resolve));
  const exit = serve(loadConfig(env), env, until, { unsafe_embedded: !env.DATABASE_URL }).finally(() => {
    captured.mock.restore();
    silenced.mock.restore();
  });
  return { exit, stop, errors };
}

for (const backend of testBackends) {
  describe(`furikae serve on ${backend.name}`, { skip: backend.skip }, () => {
    let data_dir: string;
    let gateway: Awaited<ReturnType<typeof startSmsGateway>>;
    /** The environment of a fresh bank database and free ports, with every production setting. */
    const freshEnv = async (): Promise<NodeJS.ProcessEnv> => ({
      ...PRODUCTION_ENV, SMS_GATEWAY_URL: gateway.url, LOG_LEVEL: 'silent', HOST: '127.0.0.1',
      BANK_PORT: String(await freePort()), METRICS_PORT: String(await freePort()),
      FURIKAE_DATA_DIR: mkdtempSync(join(data_dir, 'bank-')),
      ...(backend.name === 'postgres' ? { DATABASE_URL: await freshPostgresUrl() } : {}),
    });

    before(async () => {
      data_dir = mkdtempSync(join(tmpdir(), 'furikae-serve-'));
      gateway = await startSmsGateway();
    });
    after(() => {
      gateway?.server.close();
      rmSync(data_dir, { recursive: true, force: true });
    });

    test('on a database the demo seeded, serve exits 1 with one message naming every demo operator secret, demo staff password and demo authenticator', async () => {
      const env = await freshEnv();
      const config = loadConfig(env);
      const { bankDb } = await openStores(config, { wallet: false });
      const services = await createBankServices({
        db: bankDb, clock: systemClock, ids: createIds(systemClock), log: createLogger({ level: 'silent' }),
        credential_fingerprint_key: config.credential_fingerprint_key, audit_key: config.audit_key, not_me_key: config.not_me_key, sms: createSmsSimulator({ clock: systemClock }), simSwap: createSimulatedSimSwapApi({ clock: systemClock }),
      });
      await seedDemoBank(services);
      // A demo secret under another client id, and a demo password under another login, are demo secrets all the same.
      await services.operators.register({ display_name: 'Copied', passbook_label: 'コピー', client_id: 'copied-operator', client_secret: DEMO_SECURE_WALLET_CLIENT_SECRET });
      await services.staff.create({ login_id: 'copied-staff', display_name: 'Copied', password: DEMO_STAFF_MEMBERS[1].password, role: 'viewer' });
      await services.close();
      await bankDb.close();

      const run = runServe(env);
      assert.equal(await run.exit, 1);
      assert.equal(run.errors.length, 1, 'one message');
      const [message] = run.errors;
      assert.match(message!, /^furikae serve refuses to start/);
      for (const client_id of ['furikae-wallet-demo', 'copied-operator']) assert.match(message!, new RegExp(`operator ${client_id} authenticates with a demo secret`));
      for (const login_id of [...DEMO_STAFF_MEMBERS.map((member) => member.login_id), 'copied-staff']) {
        assert.match(message!, new RegExp(`staff member ${login_id} has a demo password`));
      }
      for (const { login_id } of DEMO_STAFF_MEMBERS) assert.match(message!, new RegExp(`staff member ${login_id} has the demo authenticator secret`));
      assert.doesNotMatch(message!, new RegExp(DEMO_STAFF_TOTP_SECRET), 'nor the authenticator secret');
      assert.doesNotMatch(message!, /is unset/, 'the settings themselves were all production ones');
      for (const { password } of DEMO_STAFF_MEMBERS) assert.doesNotMatch(message!, new RegExp(password), 'the message names who, never the secret');
      await assert.rejects(fetch(`http://127.0.0.1:${env.BANK_PORT}/health`), 'nothing listens');
    });

    test('with the demo keys and no SMS gateway, serve exits 1 naming each setting and starts nothing', async () => {
      const env = await freshEnv();
      for (const { variable } of DEMO_SECRETS) delete env[variable];
      delete env.SMS_GATEWAY_URL;
      delete env.SMS_GATEWAY_TOKEN;
      env.FURIKAE_NOT_ME_KEY = DEMO_SECRETS.find((secret) => secret.variable === 'FURIKAE_NOT_ME_KEY')!.demo_value;
      env.FURIKAE_AUDIT_KEY = DEMO_SECRETS.find((secret) => secret.variable === 'FURIKAE_AUDIT_KEY')!.demo_value;
      const run = runServe(env);
      assert.equal(await run.exit, 1);
      const [message] = run.errors;
      assert.match(message!, /FURIKAE_CREDENTIAL_KEY is unset/);
      assert.match(message!, /FURIKAE_NOT_ME_KEY is the public demo key/);
      assert.match(message!, /FURIKAE_AUDIT_KEY is the public demo key/);
      assert.match(message!, /SMS_GATEWAY_URL is unset/);
      assert.match(message!, /SMS_GATEWAY_TOKEN is unset/);
      await assert.rejects(fetch(`http://127.0.0.1:${env.BANK_PORT}/health`), 'nothing listens');
    });

    test('with every production setting on a clean database, serve runs: no simulator and no /metrics on the public port, metrics on their own', async () => {
      const env = await freshEnv();
      const run = runServe(env);
      const bank = `http://127.0.0.1:${env.BANK_PORT}`;
      try {
        let health: Response | undefined;
        for (let tries = 0; !health && tries < 200; tries++) {
          health = await fetch(`${bank}/health`).catch(() => new Promise<undefined>((resolve) => setTimeout(resolve, 100)));
        }
        assert.equal(health?.status, 200, 'the bank came up');
        for (const path of ['/simulator/sms', '/demo/mailbox', '/metrics']) assert.equal((await fetch(`${bank}${path}`)).status, 404, path);
        const metrics = await fetch(`http://127.0.0.1:${env.METRICS_PORT}/metrics`);
        assert.equal(metrics.status, 200);
        assert.match(await metrics.text(), /# TYPE furikae_charges_total counter/);
      } finally {
        run.stop();
      }
      assert.equal(await run.exit, 0);
    });
  });
}

test('the furikae command itself exits non-zero with the refusal on stderr when serve meets a demo secret', () => {
  const data_dir = mkdtempSync(join(tmpdir(), 'furikae-serve-cli-'));
  try {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
      env: { PATH: process.env.PATH, FURIKAE_DATA_DIR: data_dir, LOG_LEVEL: 'silent' }, encoding: 'utf8', timeout: 120_000,
    });
    assert.equal(result.status, 1, result.stderr);
    assert.equal(result.stderr.match(/furikae serve refuses to start/g)?.length, 1, result.stderr);
    assert.match(result.stderr, /FURIKAE_NOT_ME_KEY is unset/);
    assert.match(result.stderr, /FURIKAE_CREDENTIAL_KEY is unset/);
    assert.match(result.stderr, /FURIKAE_AUDIT_KEY is unset/);
    assert.equal(result.stdout, '');
  } finally {
    rmSync(data_dir, { recursive: true, force: true });
  }
});
