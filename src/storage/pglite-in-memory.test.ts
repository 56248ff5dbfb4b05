import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPgliteDatabase } from './pglite-database.ts';

const userTables = `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`;

test('each in-memory PGlite database starts empty, although later ones load the first one\'s files, and none sees another\'s writes', async () => {
  const first = await createPgliteDatabase();
  await first.exec(`CREATE TABLE written_first (n int); INSERT INTO written_first VALUES (1)`);
  const [second, third] = await Promise.all([createPgliteDatabase(), createPgliteDatabase()]);
  try {
    for (const db of [second, third]) assert.deepEqual(await db.query(userTables), [{ n: 0 }]);
    await second.exec(`CREATE TABLE written_second (n int)`);
    assert.deepEqual(await third.query(userTables), [{ n: 0 }]);
    assert.deepEqual(await first.query(`SELECT n FROM written_first`), [{ n: 1 }]);
    // int8 still comes back as a number on a loaded database, as on the first.
    assert.deepEqual(await third.query(`SELECT 9007199254740991::int8 AS big`), [{ big: 9007199254740991 }]);
  } finally {
    await Promise.all([first.close(), second.close(), third.close()]);
  }
});
