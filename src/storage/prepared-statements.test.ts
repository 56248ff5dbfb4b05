import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPostgresDatabase } from './postgres-database.ts';
import { freshPostgresUrl, testBackends } from '../testing/test-databases.ts';
import type { Database } from './database.ts';

const postgres = testBackends.find((backend) => backend.name === 'postgres')!;

describe('prepared statements on postgres', { skip: postgres.skip }, () => {
  let db: Database;
  // One connection, so the statement prepared before the migration is the one asked to run after it.
  before(async () => {
    db = await createPostgresDatabase({ url: await freshPostgresUrl(), connections_max: 1 });
    await db.exec(`CREATE TABLE pool_rows (id int PRIMARY KEY); INSERT INTO pool_rows VALUES (1);
                   CREATE TABLE tx_rows (id int PRIMARY KEY); INSERT INTO tx_rows VALUES (1);`);
  });
  after(() => db?.close());

  test('a statement reading every column keeps answering after a migration adds one, and shows the new column', async () => {
    const read = () => db.query<Record<string, unknown>>(`SELECT p.* FROM pool_rows p WHERE p.id = $1`, [1]);
    assert.deepEqual(await read(), [{ id: 1 }]);
    assert.deepEqual(await read(), [{ id: 1 }]);
    await db.exec(`ALTER TABLE pool_rows ADD COLUMN note text NOT NULL DEFAULT 'added later'`);
    assert.deepEqual(await read(), [{ id: 1, note: 'added later' }]);
  });

  test('inside a transaction the stale statement fails that transaction once, and the next one sees the new column', async () => {
    const read = () => db.transaction((tx) => tx.query<Record<string, unknown>>(`SELECT t.* FROM tx_rows t WHERE t.id = $1`, [1]));
    assert.deepEqual(await read(), [{ id: 1 }]);
    await db.exec(`ALTER TABLE tx_rows ADD COLUMN note text NOT NULL DEFAULT 'added later'`);
    await assert.rejects(read(), /cached plan must not change result type/);
    assert.deepEqual(await read(), [{ id: 1, note: 'added later' }]);
  });

  test('a connection opened after the old one was terminated prepares the statement afresh', async () => {
    const read = () => db.query<{ id: number }>(`SELECT r.id FROM pool_rows r WHERE r.id = $1`, [1]);
    assert.deepEqual(await read(), [{ id: 1 }]);
    const prepared = () => db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE '%FROM pool_rows r WHERE%'`);
    assert.deepEqual(await prepared(), [{ n: 1 }]);
    const pid = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]!.pid;
    const admin = await createPostgresDatabase({ url: process.env.TEST_POSTGRES_URL!, connections_max: 1 });
    try {
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.close();
    }
    // The pool hears of the termination on the idle connection and drops it; the next query opens a new session.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await prepared(), [{ n: 0 }], 'a new session has nothing prepared');
    assert.deepEqual(await read(), [{ id: 1 }]);
    assert.deepEqual(await prepared(), [{ n: 1 }], 'prepared again on the new connection');
    const new_pid = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]!.pid;
    assert.notEqual(new_pid, pid);
  });
});
