/**
 * Every HTTP server furikae starts gets the same limits: the bank, the 2020-mode wallet and the hardened wallet (the
 * demo and `serve` start these; the bench starts the bank). Checked on the servers the apps build, before listening.
 * Storage plays no part here, so one backend is enough.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { openTestWallet, type TestWallet } from '../wallet/open-test-wallet.ts';
import { SERVER_LIMITS } from './http-limits.ts';

const pglite = testBackends.find((backend) => backend.name === 'pglite')!;

describe('the limits of every furikae HTTP server', () => {
  let bank: BankFixture;
  let wallet: TestWallet;
  let walletSecure: TestWallet;
  before(async () => {
    bank = await createBankFixture(pglite);
    wallet = await openTestWallet(pglite);
    walletSecure = await openTestWallet(pglite, { hardened: { public_url: 'http://wallet-secure.test' } });
  });
  after(async () => {
    await walletSecure?.closeAll();
    await wallet?.closeAll();
    await bank?.close();
  });

  test('the bank and both wallets set the request, header, keep-alive and socket timeouts and a connection limit', () => {
    const servers: Array<[string, Server]> = [['bank', bank.bank.app.server], ['wallet', wallet.app.server], ['hardened wallet', walletSecure.app.server]];
    for (const [name, server] of servers) {
      assert.deepEqual(
        {
          request_timeout_ms: server.requestTimeout, headers_timeout_ms: server.headersTimeout, keep_alive_timeout_ms: server.keepAliveTimeout,
          socket_idle_timeout_ms: server.timeout, connections_max: server.maxConnections,
        },
        {
          request_timeout_ms: SERVER_LIMITS.request_timeout_ms, headers_timeout_ms: SERVER_LIMITS.headers_timeout_ms,
          keep_alive_timeout_ms: SERVER_LIMITS.keep_alive_timeout_ms, socket_idle_timeout_ms: SERVER_LIMITS.socket_idle_timeout_ms,
          connections_max: SERVER_LIMITS.connections_max,
        },
        name,
      );
    }
  });
});
