import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FurikaeError } from '../errors/furikae-error.ts';
import { resolveWebhookTarget, type WebhookResolver } from './webhook-target.ts';
import { PUBLIC_TARGETS_ONLY, type WebhookTargetPolicy } from './webhook-target-policy.ts';

const DEMO: WebhookTargetPolicy = { allow_loopback: true };

/** A resolver that knows one name: `hooks.operator.example`, answering `addresses`. */
const answering = (...addresses: string[]): WebhookResolver => async (hostname) => {
  if (hostname !== 'hooks.operator.example') throw new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};
const nowhere: WebhookResolver = async (hostname) => {
  throw new Error(`getaddrinfo ENOTFOUND ${hostname}`);
};

async function refusal(url: string, policy: WebhookTargetPolicy, resolve: WebhookResolver = nowhere): Promise<string> {
  try {
    await resolveWebhookTarget(url, policy, resolve);
  } catch (error) {
    assert.ok(error instanceof FurikaeError, String(error));
    assert.equal(error.code, 'webhook_url_invalid');
    return error.message;
  }
  assert.fail(`${url} was accepted`);
}

/** Addresses no webhook may reach, whoever runs the bank: [address, why it is special]. */
const NEVER_TARGETS: Array<[string, string]> = [
  ['10.0.0.7', 'private (RFC 1918)'],
  ['172.16.0.1', 'private (RFC 1918)'],
  ['172.31.255.254', 'private (RFC 1918)'],
  ['192.168.1.1', 'private (RFC 1918)'],
  ['169.254.169.254', 'link-local: cloud instance metadata'],
  ['100.64.0.1', 'carrier-grade NAT (RFC 6598)'],
  ['0.0.0.0', 'unspecified: connects to this host'],
  ['0.1.2.3', '"this network" (0/8)'],
  ['224.0.0.1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved (240/4)'],
  ['192.0.0.8', 'IETF protocol assignments'],
  ['198.18.0.1', 'benchmarking'],
  ['192.0.2.1', 'documentation (TEST-NET-1)'],
  ['::', 'IPv6 unspecified'],
  ['fe80::1', 'IPv6 link-local'],
  ['fc00::1', 'IPv6 unique-local'],
  ['fd12:3456::1', 'IPv6 unique-local'],
  ['fec0::1', 'IPv6 site-local (deprecated)'],
  ['ff02::1', 'IPv6 multicast'],
  ['::ffff:10.0.0.7', 'IPv4-mapped private'],
  ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::127.0.0.1', 'IPv4-compatible loopback'],
  ['::a9fe:a9fe', 'IPv4-compatible metadata'],
  ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
  ['64:ff9b:1::a00:7', 'local-use NAT64 (RFC 8215)'],
  ['2002:a9fe:a9fe::1', '6to4 of the metadata address'],
  ['2001::a9fe:a9fe', 'Teredo'],
  ['2001:db8::1', 'IPv6 documentation'],
  ['100::1', 'IPv6 discard-only'],
  ['4000::1', 'outside IPv6 global unicast'],
];
const LOOPBACK: string[] = ['127.0.0.1', '127.255.255.254', '::1'];

for (const [address, why] of NEVER_TARGETS) {
  test(`${address} (${why}) is refused as a literal host and as a name's answer, even where loopback is allowed`, async () => {
    const literal = address.includes(':') ? `[${address}]` : address;
    for (const policy of [PUBLIC_TARGETS_ONLY, DEMO]) {
      assert.match(await refusal(`https://${literal}/hooks`, policy), /must be a public address/);
      assert.match(await refusal('https://hooks.operator.example/hooks', policy, answering(address)), /resolves to .* public addresses only/);
    }
  });
}

test('loopback is refused in production, as a literal, as a name, and as localhost', async () => {
  for (const address of LOOPBACK) {
    assert.match(await refusal(`https://${address.includes(':') ? `[${address}]` : address}/hooks`, PUBLIC_TARGETS_ONLY), /loopback range/);
    assert.match(await refusal('https://hooks.operator.example/hooks', PUBLIC_TARGETS_ONLY, answering(address)), /loopback range/);
  }
  const localhost: WebhookResolver = async () => [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }];
  assert.match(await refusal('https://localhost/hooks', PUBLIC_TARGETS_ONLY, localhost), /loopback range/);
});

test('every spelling of 127.0.0.1 and of a mapped address is read as the address it is, and refused', async () => {
  for (const url of ['https://0x7f.1/', 'https://2130706433/', 'https://0177.0.0.1/', 'https://127.1/', 'https://0x7f000001/', 'https://[::ffff:7f00:1]/', 'https://[0:0:0:0:0:ffff:127.0.0.1]/', 'https://0xa9.0xfe.0xa9.0xfe/']) {
    assert.match(await refusal(url, PUBLIC_TARGETS_ONLY), /must be a public address/, url);
  }
});

test('a name with one private answer among public ones is refused whole (a rebinding name)', async () => {
  assert.match(await refusal('https://hooks.operator.example/', PUBLIC_TARGETS_ONLY, answering('93.184.216.34', '10.0.0.7')), /10\.0\.0\.7 is in the private range/);
  assert.match(await refusal('https://hooks.operator.example/', PUBLIC_TARGETS_ONLY, answering('2606:4700::1111', '::ffff:192.168.0.1')), /ipv4Mapped/);
});

test('a public https URL passes, and the target is the address that was checked', async () => {
  const v4 = await resolveWebhookTarget('https://hooks.operator.example/in?x=1', PUBLIC_TARGETS_ONLY, answering('93.184.216.34'));
  assert.deepEqual([v4.url.href, v4.address, v4.family], ['https://hooks.operator.example/in?x=1', '93.184.216.34', 4]);
  const v6 = await resolveWebhookTarget('https://hooks.operator.example/', PUBLIC_TARGETS_ONLY, answering('2606:4700::1111'));
  assert.deepEqual([v6.address, v6.family], ['2606:4700::1111', 6]);
  const literal = await resolveWebhookTarget('https://93.184.216.34:8443/', PUBLIC_TARGETS_ONLY, nowhere);
  assert.equal(literal.address, '93.184.216.34');
});

test('plain http is refused in production, and allowed by the demo policy only to loopback', async () => {
  assert.match(await refusal('http://hooks.operator.example/', PUBLIC_TARGETS_ONLY, answering('93.184.216.34')), /must be https/);
  assert.match(await refusal('http://127.0.0.1:9/hooks', PUBLIC_TARGETS_ONLY), /must be https/);
  assert.match(await refusal('http://93.184.216.34/', DEMO), /plain http only to loopback/);
  assert.match(await refusal('http://hooks.operator.example/', DEMO, answering('93.184.216.34')), /not loopback, so the URL must be https/);
  assert.equal((await resolveWebhookTarget('http://127.0.0.1:9/hooks', DEMO, nowhere)).address, '127.0.0.1');
  assert.equal((await resolveWebhookTarget('http://[::1]:9/hooks', DEMO, nowhere)).address, '::1');
  assert.equal((await resolveWebhookTarget('http://hooks.operator.example:9/', DEMO, answering('127.0.0.1'))).address, '127.0.0.1');
});

test('other schemes, credentials, fragments, overlong URLs, non-URLs and names that do not resolve are refused', async () => {
  for (const url of ['ftp://hooks.operator.example/', 'file:///etc/passwd', 'gopher://hooks.operator.example/', 'javascript:alert(1)']) {
    assert.match(await refusal(url, DEMO, answering('93.184.216.34')), /must be https/, url);
  }
  assert.match(await refusal('https://user:pass@hooks.operator.example/', PUBLIC_TARGETS_ONLY, answering('93.184.216.34')), /user name, password or fragment/);
  assert.match(await refusal('https://hooks.operator.example/#x', PUBLIC_TARGETS_ONLY, answering('93.184.216.34')), /user name, password or fragment/);
  assert.match(await refusal(`https://hooks.operator.example/${'a'.repeat(2000)}`, PUBLIC_TARGETS_ONLY, answering('93.184.216.34')), /longer than 2000/);
  assert.match(await refusal('not a url at all', PUBLIC_TARGETS_ONLY), /not a URL/);
  assert.match(await refusal('https://unknown.operator.example/', PUBLIC_TARGETS_ONLY), /does not resolve \(getaddrinfo ENOTFOUND/);
  assert.match(await refusal('https://hooks.operator.example/', PUBLIC_TARGETS_ONLY, answering()), /has no address/);
});
