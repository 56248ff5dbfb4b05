import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.ts';

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
  assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL must be one of/);
});

test('the campaign send rate is 50 a second unless set, and must be a whole number from 1 to 5,000', () => {
  assert.equal(loadConfig({}).campaign_sends_per_second, 50);
  assert.equal(loadConfig({ FURIKAE_CAMPAIGN_SENDS_PER_SECOND: '200' }).campaign_sends_per_second, 200);
  for (const value of ['0', '-1', '2.5', 'fast', '5001']) {
    assert.throws(() => loadConfig({ FURIKAE_CAMPAIGN_SENDS_PER_SECOND: value }), /FURIKAE_CAMPAIGN_SENDS_PER_SECOND must be a whole number from 1 to 5000/);
  }
});
