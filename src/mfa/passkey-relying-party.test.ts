import { test } from 'node:test';
import assert from 'node:assert/strict';
import { passkeyRelyingParty } from './passkey-relying-party.ts';

test('the RP id is the public origin\'s host unless configured, and the origin is exactly the public one', () => {
  assert.deepEqual(passkeyRelyingParty('https://www.bank.example'), { rp_id: 'www.bank.example', origin: 'https://www.bank.example', rp_name: 'ふりかえ銀行 Furikae Bank' });
  assert.equal(passkeyRelyingParty('http://localhost:3000').origin, 'http://localhost:3000');
  assert.equal(passkeyRelyingParty('http://localhost:3000').rp_id, 'localhost');
});

test('a configured RP id may be a parent domain of the host, never another domain or a look-alike suffix', () => {
  assert.equal(passkeyRelyingParty('https://www.bank.example', 'bank.example').rp_id, 'bank.example');
  assert.equal(passkeyRelyingParty('https://www.bank.example', 'BANK.example').rp_id, 'bank.example');
  assert.throws(() => passkeyRelyingParty('https://www.bank.example', 'other.example'), /FURIKAE_PASSKEY_RP_ID \(other\.example\) must be the public origin's host/);
  assert.throws(() => passkeyRelyingParty('https://evilbank.example', 'bank.example'), /must be the public origin's host/);
  assert.throws(() => passkeyRelyingParty('https://bank.example', 'www.bank.example'), /must be the public origin's host/);
});
