import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_NOT_ME_KEY, MAIL_FROM_DEFAULT, loadConfig } from '../config.ts';

test('without SMTP_URL e-mail is off, and the From and the not-me key have demo defaults', () => {
  const config = loadConfig({});
  assert.equal(config.smtp_url, undefined);
  assert.equal(config.mail_from, MAIL_FROM_DEFAULT);
  assert.equal(config.not_me_key, DEMO_NOT_ME_KEY);
});

test('SMTP_URL, FURIKAE_MAIL_FROM and FURIKAE_NOT_ME_KEY are read from the environment', () => {
  const config = loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525', FURIKAE_MAIL_FROM: 'Bank <n@bank.example>', FURIKAE_NOT_ME_KEY: 'k'.repeat(32) });
  assert.equal(config.smtp_url, 'smtp://127.0.0.1:2525');
  assert.equal(config.mail_from, 'Bank <n@bank.example>');
  assert.equal(config.not_me_key, 'k'.repeat(32));
});

test('a bad SMTP_URL, From address or short not-me key is refused at start-up with a clear message', () => {
  assert.throws(() => loadConfig({ SMTP_URL: 'http://mail.example' }), /SMTP_URL must look like smtp:\/\//);
  assert.throws(() => loadConfig({ FURIKAE_MAIL_FROM: 'no address here' }), /FURIKAE_MAIL_FROM must be an address/);
  assert.throws(() => loadConfig({ FURIKAE_NOT_ME_KEY: 'k'.repeat(31) }), /FURIKAE_NOT_ME_KEY must be at least 32 characters/);
});
