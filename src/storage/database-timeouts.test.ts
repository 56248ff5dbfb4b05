/**
 * The bounds on waiting for PostgreSQL, against a real server (and, for connecting, a real socket that never
 * answers). PostgreSQL only: PGlite runs in process and has no connection or server to wait on.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createPostgresDatabase } from './postgres-database.ts';
import { DatabaseUnavailableError } from './database-unavailable-error.ts';
import { DATABASE_TIMEOUTS } from './database-timeouts.ts';
import { testBackends } from '../testing/test-databases.ts';

const postgres = testBackends.find((backend) => backend.name === 'postgres')!;
const server_url = process.env.TEST_POSTGRES_URL;

/** How long `work` took to settle, and how it settled. */
async function timed(work: () => Promise<unknown>): Promise<{ waited_ms: number; error: unknown }> {
  const started = performance.now();
  try {
    await work();
    return { waited_ms: performance.now() - started, error: undefined };
  } catch (error) {
    return { waited_ms: performance.now() - started, error };
  }
}

describe('waits on the database are bounded', () => {
  test('a server that accepts the connection and never answers fails the connect within the connect timeout, as unavailable', async () => {
    const sockets = new Set<Socket>();
    // Accepts TCP and says nothing: a hung server, or a firewall that swallows the handshake.
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const db = await createPostgresDatabase({ url: `postgres://furikae@127.0.0.1:${port}/furikae`, timeouts: { connect_timeout_ms: 300 } });
    try {
      const { waited_ms, error } = await timed(() => db.query('SELECT 1'));
      assert.ok(error instanceof DatabaseUnavailableError, String(error));
      assert.equal(error.code, 'service_unavailable');
      // Far below an unbounded connect (node-postgres waits for ever by default), with slack for a loaded machine.
      assert.ok(waited_ms < 3_000, `gave up after ${Math.round(waited_ms)} ms`);
    } finally {
      await db.close();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  describe('on PostgreSQL', { skip: postgres.skip }, () => {
    test("every pooled session carries the server-side statement, lock and idle-in-transaction bounds", async () => {
      const db = await createPostgresDatabase({ url: server_url! });
      try {
        const [settings] = await db.query<Record<string, string>>(`SELECT current_setting('statement_timeout') AS statement_timeout,
          current_setting('lock_timeout') AS lock_timeout, current_setting('idle_in_transaction_session_timeout') AS idle_in_transaction`);
        const seconds = (ms: number) => `${ms / 1000}s`;
        assert.deepEqual(settings, {
          statement_timeout: seconds(DATABASE_TIMEOUTS.statement_timeout_ms),
          lock_timeout: seconds(DATABASE_TIMEOUTS.lock_timeout_ms),
          idle_in_transaction: seconds(DATABASE_TIMEOUTS.idle_in_transaction_session_timeout_ms),
        });
      } finally {
        await db.close();
      }
    });

    test('a statement running past the statement timeout is cancelled by the server and answered as unavailable; the pool serves on', async () => {
      const db = await createPostgresDatabase({ url: server_url!, timeouts: { statement_timeout_ms: 200 } });
      try {
        const { waited_ms, error } = await timed(() => db.query('SELECT pg_sleep(30)'));
        assert.ok(error instanceof DatabaseUnavailableError, String(error));
        assert.equal((error.cause as { code?: string } | undefined)?.code, '57014', 'cancelled by the server (query_canceled)');
        assert.ok(waited_ms < 5_000, `answered after ${Math.round(waited_ms)} ms`);
        assert.deepEqual(await db.query('SELECT 1 AS one'), [{ one: 1 }]);
      } finally {
        await db.close();
      }
    });
  });
});
