import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRODUCTION_ENV } from './testing/production-env.ts';
import { DEMO_AUDIT_KEY, DEMO_SECRETS, SERVE_REQUIRED_SETTINGS, loadConfig, serveSettingProblems } from './config.ts';

test('with no environment the demo runs on embedded PGlite on ports 3000 and 3001', () => {
  const config = loadConfig({});
  assert.equal(config.database_url, undefined);
  assert.equal(config.bank_port, 3000);
  assert.equal(config.wallet_port, 3001);
  assert.equal(config.data_dir, './data');
});

test('a bad port, database URL or log level is refused at start-up with a clear message', () => {
  assert.throws(() => loadConfig({ BANK_PORT: 'eighty' }), /BANK_PORT must be a port number/);
  assert.throws(() => loadConfig({ WALLET_PORT: '70000' }), /WALLET_PORT must be a port number/);
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL must start with postgres/);
  assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://u:pw@db1,db2/furikae?target_session_attrs=read-only' }), /target_session_attrs=read-only is not one the bank can use/);
  assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://u:pw@db1:5432,db2:99999/furikae' }), /port out of range/);
  assert.equal(loadConfig({ DATABASE_URL: 'postgresql://u@db1:5432,db2:5432/furikae?target_session_attrs=read-write' }).database_url,
    'postgresql://u@db1:5432,db2:5432/furikae?target_session_attrs=read-write');
  assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL must be one of/);
});

test('the campaign send rate is 50 a second unless set, and must be a whole number from 1 to 5,000', () => {
  assert.equal(loadConfig({}).campaign_sends_per_second, 50);
  assert.equal(loadConfig({ FURIKAE_CAMPAIGN_SENDS_PER_SECOND: '200' }).campaign_sends_per_second, 200);
  for (const value of ['0', '-1', '2.5', 'fast', '5001']) {
    assert.throws(() => loadConfig({ FURIKAE_CAMPAIGN_SENDS_PER_SECOND: value }), /FURIKAE_CAMPAIGN_SENDS_PER_SECOND must be a whole number from 1 to 5000/);
  }
});

test('serve finds nothing to refuse when every production setting is set', () => {
  assert.deepEqual(serveSettingProblems(PRODUCTION_ENV), []);
});

test('serve names every secret left unset or set to its public demo value, one line each', () => {
  // Empty counts as unset as much as absent does: alternate the two over the table.
  const unset = serveSettingProblems({ ...PRODUCTION_ENV, ...Object.fromEntries(DEMO_SECRETS.map(({ variable }, index) => [variable, index % 2 ? undefined : ''])) });
  assert.deepEqual(unset, DEMO_SECRETS.map(({ variable }) => `${variable} is unset, so the public demo key would be used`));
  const demo = serveSettingProblems({ ...PRODUCTION_ENV, ...Object.fromEntries(DEMO_SECRETS.map(({ variable, demo_value }) => [variable, demo_value])) });
  assert.deepEqual(demo, DEMO_SECRETS.map(({ variable }) => `${variable} is the public demo key`));
});

test('the published demo audit key is one serve refuses: a chain keyed with it can be re-chained by anyone', () => {
  assert.ok(DEMO_SECRETS.some(({ variable, demo_value }) => variable === 'FURIKAE_AUDIT_KEY' && demo_value === DEMO_AUDIT_KEY));
  assert.deepEqual(serveSettingProblems({ ...PRODUCTION_ENV, FURIKAE_AUDIT_KEY: DEMO_AUDIT_KEY }), ['FURIKAE_AUDIT_KEY is the public demo key']);
  assert.deepEqual(serveSettingProblems({ ...PRODUCTION_ENV, FURIKAE_AUDIT_KEY: undefined }), ['FURIKAE_AUDIT_KEY is unset, so the public demo key would be used']);
  assert.equal(loadConfig({}).audit_key, DEMO_AUDIT_KEY, 'the demo still runs with no setup');
  assert.throws(() => loadConfig({ FURIKAE_AUDIT_KEY: 'short' }), /FURIKAE_AUDIT_KEY must be at least 32 characters/);
});

test('serve names every required setting that is missing, and a public origin in plain http beyond this machine', () => {
  for (const { variable } of SERVE_REQUIRED_SETTINGS) {
    const problems = serveSettingProblems({ ...PRODUCTION_ENV, [variable]: undefined });
    assert.equal(problems.length, 1, variable);
    assert.match(problems[0]!, new RegExp(`^${variable} is unset: `));
  }
  assert.deepEqual(serveSettingProblems({ ...PRODUCTION_ENV, FURIKAE_PUBLIC_URL: 'http://bank.example' }),
    ['FURIKAE_PUBLIC_URL must be https:// beyond this machine: customers type passwords and codes into its pages']);
  assert.deepEqual(serveSettingProblems({ ...PRODUCTION_ENV, FURIKAE_PUBLIC_URL: 'http://127.0.0.1:3000' }), []);
});

test('serve refuses the test suite\'s hash cost, set to 1, and ignores any other value of it', () => {
  assert.deepEqual(serveSettingProblems({ ...PRODUCTION_ENV, FURIKAE_TEST_HASH_COST: '1' }),
    ["FURIKAE_TEST_HASH_COST is set: PINs, passwords and codes would be hashed at the test suite's cost, 32 times cheaper to guess offline"]);
  assert.deepEqual(serveSettingProblems({ ...PRODUCTION_ENV, FURIKAE_TEST_HASH_COST: '0' }), []);
});

test('the metrics listener is on loopback port 9464 unless set, and a bad METRICS_PORT or SMS_GATEWAY_URL is refused', () => {
  const config = loadConfig({});
  assert.equal(config.metrics_host, '127.0.0.1');
  assert.equal(config.metrics_port, 9464);
  assert.equal(loadConfig({ METRICS_PORT: '9100', METRICS_HOST: '10.0.0.5' }).metrics_port, 9100);
  assert.throws(() => loadConfig({ METRICS_PORT: 'nine' }), /METRICS_PORT must be a port number/);
  assert.throws(() => loadConfig({ SMS_GATEWAY_URL: 'not a url' }), /SMS_GATEWAY_URL must be a URL/);
});
