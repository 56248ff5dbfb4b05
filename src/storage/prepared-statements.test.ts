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
});
