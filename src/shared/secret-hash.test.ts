import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashSecret, verifySecret, hashToken, newToken, scryptCost, SCRYPT_N, TEST_HASH_COST_ENV } from './secret-hash.ts';

test('a PIN verifies against its own salted hash and not against a neighbour', async () => {
  const stored = await hashSecret('1234');
  assert.match(stored, new RegExp(`^scrypt\\$${scryptCost()}\\$8\\$1\\$`));
  assert.equal(await verifySecret('1234', stored), true);
  assert.equal(await verifySecret('1235', stored), false);
});

test('the same PIN hashes differently each time because of the salt', async () => {
  assert.notEqual(await hashSecret('0000'), await hashSecret('0000'));
});

test('a malformed stored hash never verifies', async () => {
  assert.equal(await verifySecret('1234', 'plain$1234'), false);
});

test('tokens are long, prefixed and hash to a stable value', () => {
  const token = newToken('lk');
  assert.match(token, /^lk_[A-Za-z0-9_-]{43}$/);
  assert.equal(hashToken(token), hashToken(token));
  assert.notEqual(hashToken(token), hashToken(newToken('lk')));
});

test('a hash stored with another cost never verifies, so a tampered row cannot weaken or inflate the check', async () => {
  const stored = await hashSecret('1234');
  const withCost = (n: number) => stored.split('$').map((part, i) => (i === 1 ? String(n) : part)).join('$');
  assert.equal(await verifySecret('1234', withCost(scryptCost())), true);
  for (const other of [512, 1024, 32768, 1048576].filter((n) => n !== scryptCost())) {
    assert.equal(await verifySecret('1234', withCost(other)), false, `N=${other}`);
  }
});

test('a bank hashes at N=2^15 unless npm test set the test cost to exactly 1', () => {
  assert.equal(SCRYPT_N, 32768);
  assert.equal(scryptCost({}), 32768);
  assert.equal(scryptCost({ [TEST_HASH_COST_ENV]: '0' }), 32768);
  assert.equal(scryptCost({ [TEST_HASH_COST_ENV]: 'yes' }), 32768);
  assert.equal(scryptCost({ [TEST_HASH_COST_ENV]: '1' }), 1024);
});
