import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { END_USER_ADDRESS_CHARS_MAX, parseEndUserAddress } from './end-user-address.ts';

describe('the end user address an operator relays', () => {
  test('an IPv4 address counts as itself', () => {
    assert.deepEqual(parseEndUserAddress('203.0.113.5'), { address: '203.0.113.5', counting_key: '203.0.113.5' });
  });

  test('an IPv4-mapped IPv6 address is its IPv4 address, so the same user is not two sources', () => {
    assert.deepEqual(parseEndUserAddress('::ffff:203.0.113.5'), { address: '203.0.113.5', counting_key: '203.0.113.5' });
  });

  test('IPv6 addresses are written one way and counted per /64, so a subscriber line is one source', () => {
    assert.deepEqual(parseEndUserAddress('2001:DB8:0:0:1::5'), { address: '2001:db8::1:0:0:5', counting_key: '2001:db8::/64' });
    assert.equal(parseEndUserAddress('2001:db8::ffff:1:2:3')?.counting_key, '2001:db8::/64');
    assert.equal(parseEndUserAddress('2001:db8:0:1::5')?.counting_key, '2001:db8:0:1::/64');
  });

  for (const [name, text] of [
    ['empty', ''], ['a host name', 'wallet.example'], ['with a port', '203.0.113.5:443'], ['in brackets', '[2001:db8::1]'],
    ['with a zone', 'fe80::1%eth0'], ['a list', '203.0.113.5, 198.51.100.7'], ['with a leading zero', '203.0.113.05'],
    ['in hex', '0xcb.0.113.5'], ['three parts', '203.0.113'], ['out of range', '203.0.113.256'], ['a prefix', '2001:db8::/64'],
    ['with spaces', ' 203.0.113.5'], ['too long', `${'1'.repeat(END_USER_ADDRESS_CHARS_MAX)}::1`],
  ] as const) {
    test(`an address ${name} is not an address`, () => {
      assert.equal(parseEndUserAddress(text), undefined);
    });
  }
});
