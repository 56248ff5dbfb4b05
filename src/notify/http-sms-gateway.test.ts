import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpSmsGateway, SmsGatewayError } from './http-sms-gateway.ts';
import { createLogger } from '../shared/logger.ts';
import { capturingLogger } from '../testing/capturing-logger.ts';

const TOKEN = 'gateway-token-0123456789';

/** A stand-in SMS gateway on loopback: records what arrives and answers with the status the test sets. */
function startGateway() {
  const received: { authorization: string | undefined; content_type: string | undefined; body: unknown }[] = [];
  let status = 202;
  let delay_ms = 0;
  const server: Server = createServer((request: IncomingMessage, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      received.push({ authorization: request.headers.authorization, content_type: request.headers['content-type'], body: JSON.parse(text) });
      setTimeout(() => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: text })), delay_ms);
    });
  });
  return {
    received,
    answer(next: number) { status = next; },
    delay(ms: number) { delay_ms = ms; },
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/messages`;
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('the HTTP SMS gateway', () => {
  const gateway = startGateway();
  let url: string;
  before(async () => { url = await gateway.listen(); });
  after(() => gateway.close());

  test('a message is one POST with the bearer token and E.164 number; neither the text nor the token reaches the log', async () => {
    const { log, lines } = capturingLogger();
    const sms = createHttpSmsGateway({ url, token: TOKEN, log });
    await sms.send({ to_phone: '090-1234-5678', text: '認証コード 123456', purpose: 'login' });
    const last = gateway.received.at(-1)!;
    assert.equal(last.authorization, `Bearer ${TOKEN}`);
    assert.match(last.content_type ?? '', /^application\/json/);
    assert.deepEqual(last.body, { to: '+819012345678', text: '認証コード 123456' });
    const logged = lines.join('\n');
    assert.match(logged, /sms sent/);
    assert.doesNotMatch(logged, /123456|gateway-token/);
    assert.match(logged, /\*{7}5678/);
  });

  test('a refusal from the gateway throws with its status, and its answer (which may echo the code) is not logged', async () => {
    const { log, lines } = capturingLogger();
    const sms = createHttpSmsGateway({ url, token: TOKEN, log });
    gateway.answer(503);
    try {
      await assert.rejects(sms.send({ to_phone: '09012345678', text: 'コード 654321', purpose: 'login' }),
        (error: unknown) => error instanceof SmsGatewayError && error.status === 503 && !error.message.includes('654321'));
    } finally {
      gateway.answer(202);
    }
    assert.doesNotMatch(lines.join('\n'), /654321/);
  });

  test('a gateway that does not answer in time fails the send instead of holding it', async () => {
    const { log } = capturingLogger();
    const sms = createHttpSmsGateway({ url, token: TOKEN, log, timeout_ms: 50 });
    gateway.delay(1_000);
    try {
      await assert.rejects(sms.send({ to_phone: '09012345678', text: 'x', purpose: 'login' }), /no answer within 50 ms/);
    } finally {
      gateway.delay(0);
    }
  });

  test('a number that is not a phone number is refused before anything is sent', async () => {
    const sms = createHttpSmsGateway({ url, token: TOKEN, log: capturingLogger().log });
    const before = gateway.received.length;
    await assert.rejects(sms.send({ to_phone: 'not a phone', text: 'x', purpose: 'login' }), SmsGatewayError);
    assert.equal(gateway.received.length, before);
  });

  test('an unreachable gateway fails the send', async () => {
    const sms = createHttpSmsGateway({ url: 'http://127.0.0.1:9/v1/messages', token: TOKEN, log: capturingLogger().log });
    await assert.rejects(sms.send({ to_phone: '09012345678', text: 'x', purpose: 'login' }), /unreachable/);
  });
});

test('the gateway must be https unless it runs on this machine, and needs a token', () => {
  const log = createLogger({ level: 'silent' });
  assert.throws(() => createHttpSmsGateway({ url: 'http://sms.example/v1', token: TOKEN, log }), /must be https/);
  assert.throws(() => createHttpSmsGateway({ url: 'ftp://127.0.0.1/v1', token: TOKEN, log }), /must be https/);
  assert.throws(() => createHttpSmsGateway({ url: 'https://sms.example/v1', token: '', log }), /SMS_GATEWAY_TOKEN is empty/);
  assert.doesNotThrow(() => createHttpSmsGateway({ url: 'https://sms.example/v1', token: TOKEN, log }));
  assert.doesNotThrow(() => createHttpSmsGateway({ url: 'http://localhost:8080/v1', token: TOKEN, log }));
});
