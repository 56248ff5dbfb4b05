import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { freePort } from '../testing/free-port.ts';
import { startDemo } from './start-demo.ts';

/**
 * The addresses this process listens on. A closed server's handle can stay in the list a moment longer with no
 * address, so closed ones are told apart by their address (node has no public API for a process's servers).
 */
const listening = (): string[] => (process as unknown as { _getActiveHandles(): Array<{ address?(): unknown }> })._getActiveHandles()
  .map((handle) => (handle instanceof Server ? handle.address() : null))
  .filter((address): address is AddressInfo => address !== null && typeof address === 'object')
  .map((address) => `${address.address}:${address.port}`)
  .sort();

test('a demo whose last port is taken fails with EADDRINUSE and closes everything it had opened', async () => {
  const data_dir = mkdtempSync(join(tmpdir(), 'furikae-demo-port-'));
  const blocker = createServer();
  const taken = await freePort();
  await new Promise<void>((resolve) => blocker.listen(taken, '127.0.0.1', resolve));
  try {
    const ports = { BANK_PORT: String(await freePort()), WALLET_PORT: String(await freePort()), METRICS_PORT: String(await freePort()) };
    const before = listening();
    const config = loadConfig({ ...ports, WALLET_SECURE_PORT: String(taken), FURIKAE_DATA_DIR: data_dir, LOG_LEVEL: 'silent' });
    await assert.rejects(startDemo(config), { code: 'EADDRINUSE', port: taken });
    // The bank, the 2020 wallet, the metrics listener and the mail sink were listening before the last step failed.
    assert.deepEqual(listening(), before, 'no listener is left open');
    for (const [name, port] of Object.entries(ports)) {
      const probe = createServer();
      await assert.doesNotReject(new Promise<void>((resolve, reject) => probe.once('error', reject).listen(Number(port), '127.0.0.1', resolve)), `${name} ${port} is free again`);
      await new Promise((resolve) => probe.close(resolve));
    }
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
    rmSync(data_dir, { recursive: true, force: true });
  }
});
