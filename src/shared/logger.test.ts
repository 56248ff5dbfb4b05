import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { REDACTED_PATHS } from './logger.ts';
import { createHttpApp } from '../http/create-http-app.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
  return { lines, log: pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, stream) };
}

test('PINs, passwords, OTPs, tokens, secrets and account numbers are redacted from log lines', () => {
  const { lines, log } = capture();
  log.info({ request: { pin: '4321', password: 'hunter2', otp: '123456', token: 'lk_secret', link_token: 'lk_other', client_secret: 'sk_x', account_number: '1234567' } }, 'attempt');
  const line = lines.join('');
  for (const secret of ['4321', 'hunter2', '123456', 'lk_secret', 'lk_other', 'sk_x', '1234567']) assert.ok(!line.includes(secret), `${secret} leaked`);
  assert.match(line, /\[redacted\]/);
});

test('a secret field is redacted at the top level of the logged object and two levels down as well', () => {
  const { lines, log } = capture();
  log.info({ pin: '4321', otp: '654321' }, 'top level');
  log.info({ body: { kyc: { password: 'hunter2', account_number: '7654321' } } }, 'two levels down');
  const output = lines.join('');
  for (const secret of ['4321', '654321', 'hunter2', '7654321']) assert.ok(!output.includes(secret), `${secret} leaked`);
  assert.equal(output.match(/\[redacted\]/g)?.length, 4);
});

test('request logs carry neither the Authorization, DPoP nor Cookie header, nor the body', async () => {
  const { lines, log } = capture();
  const app = createHttpApp({ log });
  app.post('/echo', async () => ({ ok: true }));
  await app.inject({
    method: 'POST', url: '/echo', payload: { pin: '9876' },
    headers: { authorization: 'Bearer lk_topsecret', dpop: 'eyJproof', cookie: 'furikae_customer=sessionsecret' },
  });
  const output = lines.join('');
  for (const secret of ['lk_topsecret', 'eyJproof', 'sessionsecret', '9876']) assert.ok(!output.includes(secret), `${secret} leaked`);
  assert.match(output, /request completed/);
});

test('each request is logged once, when it is answered, with its method, URL, status and time taken', async () => {
  const { lines, log } = capture();
  const app = createHttpApp({ log });
  app.get('/ping', async () => ({ ok: true }));
  await app.inject({ method: 'GET', url: '/ping?x=1' });
  const records = lines.map((line) => JSON.parse(line) as { msg: string; req?: { method: string; url: string }; res?: { statusCode: number }; responseTime?: number; reqId?: string });
  const requestLines = records.filter((record) => record.reqId !== undefined);
  assert.equal(requestLines.length, 1, `one line for the request, got ${requestLines.map((record) => record.msg).join(', ')}`);
  const [line] = requestLines;
  assert.equal(line!.msg, 'request completed');
  assert.deepEqual([line!.req?.method, line!.req?.url, line!.res?.statusCode], ['GET', '/ping?x=1', 200]);
  assert.equal(typeof line!.responseTime, 'number');
});
