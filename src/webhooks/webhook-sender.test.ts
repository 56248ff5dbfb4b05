import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookSender } from './webhook-sender.ts';
import type { WebhookResolver } from './webhook-target.ts';
import { PUBLIC_TARGETS_ONLY } from './webhook-target-policy.ts';

const DEMO = { allow_loopback: true };
const post = { headers: { 'content-type': 'application/json' }, body: '{"id":"e1"}', timeout_ms: 2_000 };

let server: Server;
let port: number;
const received: Array<{ host: string | undefined; path: string | undefined; body: string }> = [];

before(async () => {
  server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ host: request.headers.host, path: request.url, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** DNS for `hooks.operator.example` that answers each call with the next address in `answers` (the last one repeats). */
function rebinding(...answers: string[]) {
  const calls: string[] = [];
  const resolve: WebhookResolver = async (hostname) => {
    calls.push(hostname);
    const address = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };
  return { resolve, calls };
}

test('the POST connects to the address the check resolved, carrying the URL’s own host name, and asks DNS once', async () => {
  received.length = 0;
  // A second lookup would answer 127.0.0.2, where nothing listens: the delivery arrives only if the first answer is used.
  const dns = rebinding('127.0.0.1', '127.0.0.2');
  const send = createWebhookSender({ policy: DEMO, resolve: dns.resolve });
  const { status } = await send(`http://hooks.operator.example:${port}/hooks?from=bank`, post);
  assert.equal(status, 204);
  assert.deepEqual(received, [{ host: `hooks.operator.example:${port}`, path: '/hooks?from=bank', body: post.body }]);
  assert.deepEqual(dns.calls, ['hooks.operator.example']);
});

test('a name that resolves to a private or link-local address by send time is never contacted', async () => {
  received.length = 0;
  for (const address of ['10.0.0.7', '169.254.169.254', '::ffff:127.0.0.1', 'fd00::1']) {
    const send = createWebhookSender({ policy: DEMO, resolve: rebinding(address).resolve });
    await assert.rejects(send(`http://hooks.operator.example:${port}/hooks`, post), (error: Error) => error.message.includes(`resolves to ${address} is in the`));
  }
  assert.deepEqual(received, []);
});

test('in production the bank never POSTs to loopback, whether named, literal, or over https', async () => {
  received.length = 0;
  const send = createWebhookSender({ policy: PUBLIC_TARGETS_ONLY, resolve: rebinding('127.0.0.1').resolve });
  await assert.rejects(send(`https://hooks.operator.example:${port}/hooks`, post), /127\.0\.0\.1 is in the loopback range/);
  await assert.rejects(send(`https://127.0.0.1:${port}/hooks`, post), /loopback range/);
  await assert.rejects(send(`http://127.0.0.1:${port}/hooks`, post), /must be https/);
  assert.deepEqual(received, []);
});

test('a redirect is not followed: the endpoint’s 3xx is the answer', async () => {
  const redirecting = createServer((_request, response) => response.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
  await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
  try {
    const send = createWebhookSender({ policy: DEMO });
    const { status } = await send(`http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/hooks`, post);
    assert.equal(status, 307);
  } finally {
    await new Promise<void>((resolve) => redirecting.close(() => resolve()));
  }
});

test('an endpoint that never answers is cut off at the timeout', async () => {
  const silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const send = createWebhookSender({ policy: DEMO });
    await assert.rejects(send(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, { ...post, timeout_ms: 200 }), /abort|timeout/i);
  } finally {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});
