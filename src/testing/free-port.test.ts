import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ephemeralPortMin, freePort } from './free-port.ts';

test('a free port lies below the kernel’s ephemeral range and can be listened on', async () => {
  const below = ephemeralPortMin();
  for (let index = 0; index < 20; index++) {
    const port = await freePort();
    assert.ok(port >= 10_000 && port < below, `${port} is in [10000, ${below})`);
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  }
});

test('port-0 listeners get ports at or above the range freePort stays below, so they cannot take one it handed out', async () => {
  const servers = await Promise.all(Array.from({ length: 20 }, () => new Promise<ReturnType<typeof createServer>>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  })));
  const taken = servers.map((server) => (server.address() as { port: number }).port);
  assert.ok(taken.every((port) => port >= ephemeralPortMin()), `port-0 listeners got ${taken.join(', ')}`);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

test('the ephemeral range is read from the kernel’s file, and a missing or garbled file means Linux’s default 32768', () => {
  const dir = mkdtempSync(join(tmpdir(), 'furikae-port-range-'));
  try {
    const file = join(dir, 'ip_local_port_range');
    writeFileSync(file, '40000\t60999\n');
    assert.equal(ephemeralPortMin(file), 40_000);
    writeFileSync(file, 'garbage\n');
    assert.equal(ephemeralPortMin(file), 32_768);
    assert.equal(ephemeralPortMin(join(dir, 'missing')), 32_768);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
