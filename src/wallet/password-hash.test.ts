import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DECOY_PASSWORD_HASH, hashPassword, verifyPassword } from './password-hash.ts';

test('a password verifies against its own hash and no other password does', async () => {
  const stored = await hashPassword('correct horse battery');
  assert.match(stored, /^scrypt\$16384\$8\$1\$/);
  assert.equal(await verifyPassword('correct horse battery', stored), true);
  assert.equal(await verifyPassword('correct horse batterY', stored), false);
  assert.equal(await verifyPassword('', stored), false);
});

test('the same password hashes differently each time because the salt is random', async () => {
  assert.notEqual(await hashPassword('same password'), await hashPassword('same password'));
});

test('a malformed or cheaper-cost hash never verifies', async () => {
  const stored = await hashPassword('pw123456');
  assert.equal(await verifyPassword('pw123456', 'plain'), false);
  assert.equal(await verifyPassword('pw123456', stored.replace('$16384$', '$2$')), false);
  assert.equal(await verifyPassword('pw123456', stored.slice(0, -4)), false);
});

test('the decoy hash is well formed and matches nothing', async () => {
  assert.equal(await verifyPassword('anything at all', DECOY_PASSWORD_HASH), false);
});
