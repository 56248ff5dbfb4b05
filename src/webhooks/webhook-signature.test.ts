import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signWebhook, verifyWebhookSignature, WEBHOOK_TOLERANCE_SECONDS } from './webhook-signature.ts';

const secret = 'whsec_test_secret_0123456789';
const body = JSON.stringify({ id: '0190a000-0000-7000-8000-000000000001', type: 'charge.succeeded', data: { charge: { amount_yen: 100000 } } });
const now = new Date('2026-11-10T01:00:00Z');

test('a signature made with the secret verifies over the exact body', () => {
  assert.equal(verifyWebhookSignature(secret, signWebhook(secret, body, now), body, now), 'ok');
});

test('a tampered body, a tampered signature, another secret or another timestamp do not verify', () => {
  const header = signWebhook(secret, body, now);
  assert.equal(verifyWebhookSignature(secret, header, body.replace('100000', '1000000'), now), 'mismatch');
  assert.equal(verifyWebhookSignature(secret, header.replace(/.$/, (c) => (c === '0' ? '1' : '0')), body, now), 'mismatch');
  assert.equal(verifyWebhookSignature('whsec_another_secret', header, body, now), 'mismatch');
  const moved = header.replace(/^t=(\d+)/, (_, t: string) => `t=${Number(t) + 1}`);
  assert.equal(verifyWebhookSignature(secret, moved, body, new Date(now.getTime() + 1000)), 'mismatch');
});

test('a signature five minutes old verifies, one second older is stale, and so is one from the future beyond the tolerance', () => {
  const header = signWebhook(secret, body, now);
  assert.equal(verifyWebhookSignature(secret, header, body, new Date(now.getTime() + WEBHOOK_TOLERANCE_SECONDS * 1000)), 'ok');
  assert.equal(verifyWebhookSignature(secret, header, body, new Date(now.getTime() + (WEBHOOK_TOLERANCE_SECONDS + 1) * 1000)), 'stale');
  assert.equal(verifyWebhookSignature(secret, header, body, new Date(now.getTime() - (WEBHOOK_TOLERANCE_SECONDS + 1) * 1000)), 'stale');
});

test('a missing or malformed header is refused as malformed', () => {
  for (const header of [undefined, '', 'v1=abc', 't=1,v1=xyz', `t=abc,v1=${'0'.repeat(64)}`, `t=1,v1=${'0'.repeat(63)}`, `v1=${'0'.repeat(64)},t=1`]) {
    assert.equal(verifyWebhookSignature(secret, header, body, now), 'malformed', String(header));
  }
});
