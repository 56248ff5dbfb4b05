/**
 * What only a real socket shows: Node's parser and timers answer these before Fastify sees a request, so inject()
 * cannot reach them. Timeouts are shortened here (the shipped ones are in http-limits.ts) so each fires in a
 * second or two; the assertions bound how long the server took, never how fast it was.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { pino } from 'pino';
import { createHttpApp } from './create-http-app.ts';
import { HEADER_BYTES_MAX, URL_CHARS_MAX, type ServerLimits } from './http-limits.ts';

const limits: Partial<ServerLimits> = {
  request_timeout_ms: 1_500,
  headers_timeout_ms: 1_000,
  connections_checking_interval_ms: 100,
  keep_alive_timeout_ms: 500,
  connections_max: 8,
};

/** What came back on one connection, and whether and when the server closed it. */
interface Exchange {
  status: number | undefined;
  headers: Record<string, string>;
  body: string;
  closed_after_ms: number;
}

/** Opens a connection, lets `talk` write to it, and reads until the server closes it (or `wait_ms` passes). */
function exchange(port: number, talk: (socket: Socket) => void, wait_ms = 10_000): Promise<Exchange & { closed: boolean }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => talk(socket));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]) || undefined, headers, body: rest.join('\r\n\r\n'), closed, closed_after_ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), wait_ms);
    socket.on('close', () => finish(true));
  });
}

function assertProblem(result: Exchange, status: number, code: string) {
  assert.equal(result.status, status, result.body);
  assert.match(result.headers['content-type'] ?? '', /^application\/problem\+json/);
  const problem = JSON.parse(result.body);
  assert.equal(problem.code, code);
  assert.equal(problem.status, status);
}

describe('a furikae HTTP server on a real socket', () => {
  let app: FastifyInstance;
  let port: number;
  const lines: Array<{ level: number; msg: string; err?: { message?: string } }> = [];

  before(async () => {
    const stream = new Writable({ write(chunk, _encoding, done) { lines.push(JSON.parse(String(chunk))); done(); } });
    app = createHttpApp({ log: pino({ level: 'debug' }, stream), limits });
    app.post('/v1/things', { schema: { body: Type.Object({ name: Type.String({ maxLength: 100 }) }) } }, async () => ({ ok: true }));
    app.get('/v1/things', async () => ({ ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  after(() => app.close());

  const errorLines = () => lines.filter((line) => line.level >= 50);

  test('headers past HEADER_BYTES_MAX are answered 431 headers_too_large in problem+json and the connection closed', async () => {
    const result = await exchange(port, (socket) => socket.write(`GET /v1/things HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(HEADER_BYTES_MAX)}\r\n\r\n`));
    assertProblem(result, 431, 'headers_too_large');
    assert.equal(result.closed, true);
  });

  test('a URL past URL_CHARS_MAX (but within the header limit) is 414 uri_too_long; past the header limit, 431', async () => {
    const long = await exchange(port, (socket) => socket.write(`GET /v1/things?q=${'a'.repeat(URL_CHARS_MAX)} HTTP/1.1\r\nHost: x\r\n\r\n`));
    assertProblem(long, 414, 'uri_too_long');
    const huge = await exchange(port, (socket) => socket.write(`GET /v1/things?q=${'a'.repeat(HEADER_BYTES_MAX)} HTTP/1.1\r\nHost: x\r\n\r\n`));
    assertProblem(huge, 431, 'headers_too_large');
  });

  const malformed: Array<[string, string]> = [
    ['not HTTP at all', 'HELLO\r\n\r\n'],
    ['an unknown method', 'FROB /v1/things HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a non-numeric Content-Length', 'POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ten\r\n\r\n{}'],
    ['a control character in a header', 'GET /v1/things HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\u0001b\r\n\r\n'],
    ['a bare LF line ending in a header', 'GET /v1/things HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n'],
    ['two Content-Lengths that disagree', 'POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
  ];
  for (const [name, request] of malformed) {
    test(`${name} is answered 400 request_malformed in problem+json by the server itself`, async () => {
      const result = await exchange(port, (socket) => socket.write(request));
      assertProblem(result, 400, 'request_malformed');
      assert.equal(result.closed, true);
    });
  }

  test('malformed percent-encoding in the path is 400 request_malformed in problem+json', async () => {
    const result = await exchange(port, (socket) => socket.write('GET /v1/things/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    assertProblem(result, 400, 'request_malformed');
  });

  test('a body shorter than its Content-Length times out with 408 request_timeout and the connection is closed', async () => {
    const before = errorLines().length;
    const result = await exchange(port, (socket) =>
      socket.write('POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"name":'));
    assertProblem(result, 408, 'request_timeout');
    assert.equal(result.closed, true);
    assert.ok(result.closed_after_ms < 5_000, `closed after ${result.closed_after_ms} ms`);
    // The aborted body is the client's doing: logged, but not as an error.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(errorLines().slice(before), []);
  });

  test('a body trickled a byte at a time is cut off at the request timeout, however long it would go on', async () => {
    let timer: NodeJS.Timeout | undefined;
    const result = await exchange(port, (socket) => {
      socket.write('POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{');
      timer = setInterval(() => socket.writable && socket.write(' '), 100);
    });
    clearInterval(timer);
    assertProblem(result, 408, 'request_timeout');
    assert.ok(result.closed_after_ms < 5_000, `closed after ${result.closed_after_ms} ms`);
  });

  test('headers trickled a line at a time (slowloris) are cut off at the headers timeout with 408', async () => {
    let timer: NodeJS.Timeout | undefined;
    const result = await exchange(port, (socket) => {
      socket.write('GET /v1/things HTTP/1.1\r\nHost: x\r\n');
      let n = 0;
      timer = setInterval(() => socket.writable && socket.write(`X-${n++}: y\r\n`), 100);
    });
    clearInterval(timer);
    assertProblem(result, 408, 'request_timeout');
    assert.ok(result.closed_after_ms < 5_000, `closed after ${result.closed_after_ms} ms`);
  });

  test('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const result = await exchange(port, (socket) => socket.write('GET /v1/things HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.equal(result.status, 200);
    assert.equal(result.closed, true);
    assert.ok(result.closed_after_ms < 5_000, `closed after ${result.closed_after_ms} ms`);
  });

  test('a client that drops the connection mid-body is logged below error level', async () => {
    const before = lines.length;
    await exchange(port, (socket) => {
      socket.write('POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"na');
      setTimeout(() => socket.destroy(), 100);
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const logged = lines.slice(before);
    assert.ok(logged.some((line) => line.level < 50 && line.err?.message === 'aborted'), JSON.stringify(logged));
    assert.deepEqual(logged.filter((line) => line.level >= 50), []);
  });

  test('past the connection limit, new connections are closed without service while the open ones still work', async () => {
    const held: Socket[] = [];
    for (let index = 0; index < limits.connections_max!; index++) {
      held.push(await new Promise<Socket>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => resolve(socket));
        socket.on('error', () => undefined);
      }));
    }
    // Let the server count them before knocking once more.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await exchange(port, (socket) => socket.write('GET /v1/things HTTP/1.1\r\nHost: x\r\n\r\n'), 3_000);
    assert.equal(refused.status, undefined);
    assert.equal(refused.closed, true);
    const first = held[0]!;
    const answered = await new Promise<string>((resolve) => {
      first.once('data', (chunk) => resolve(chunk.toString()));
      first.write('GET /v1/things HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    assert.match(answered, /^HTTP\/1\.1 200/);
    for (const socket of held) socket.destroy();
  });
});

describe('a furikae HTTP server that is shutting down', () => {
  test('a request that arrives on an open connection while it closes is answered 503 service_unavailable in problem+json', async () => {
    const app = createHttpApp({ log: pino({ level: 'silent' }), limits });
    let arrived: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (arrived = resolve));
    app.get('/slow', async () => {
      arrived();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { ok: true };
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    let closing: Promise<undefined> | undefined;
    // The second request comes on the same connection while the first is still being answered and the server closes.
    const result = await exchange(port, (socket) => {
      socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
      void first.then(() => {
        closing = app.close();
        setTimeout(() => socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n'), 50);
      });
    });
    await closing;
    const second = result.body.split('\r\n\r\n').at(-1)!;
    assert.match(result.body, /HTTP\/1\.1 503 Service Unavailable/);
    assert.equal(JSON.parse(second).code, 'service_unavailable');
  });
});
