import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fsyncSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createPgliteDatabase } from './pglite-database.ts';

/** An fsync that does the real call and remembers which file (relative to `dir`) it was for. */
function recordingFsync(dir: string) {
  const synced: string[] = [];
  return {
    synced,
    fsync(fd: number) {
      synced.push(relative(dir, readlinkSync(`/proc/self/fd/${fd}`)));
      fsyncSync(fd);
    },
  };
}

describe('PGlite on a data folder syncs on commit', () => {
  test('every COMMIT syncs the WAL to disk before it answers, and a transaction of several statements syncs once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'furikae-pglite-'));
    const recorder = recordingFsync(dir);
    const db = await createPgliteDatabase(dir, { fsync: recorder.fsync });
    try {
      assert.deepEqual(await db.query(`SELECT current_setting('fsync') AS fsync, current_setting('wal_sync_method') AS method`), [{ fsync: 'on', method: 'fsync' }]);
      await db.exec('CREATE TABLE charges_seen (id int PRIMARY KEY, amount_yen bigint NOT NULL)');
      for (let id = 1; id <= 3; id++) {
        recorder.synced.length = 0;
        await db.query('INSERT INTO charges_seen VALUES ($1, 100)', [id]);
        assert.ok(recorder.synced.some((path) => path.startsWith('pg_wal/')), `insert ${id} synced the WAL before answering (${recorder.synced.join(', ')})`);
      }
      recorder.synced.length = 0;
      await db.transaction(async (tx) => {
        for (let id = 10; id < 20; id++) await tx.query('INSERT INTO charges_seen VALUES ($1, 100)', [id]);
        assert.deepEqual(recorder.synced, [], 'nothing is synced before the COMMIT');
      });
      assert.equal(recorder.synced.filter((path) => path.startsWith('pg_wal/0')).length, 1, 'one WAL sync for the whole transaction');
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a new data folder is synced whole before its first commit, and what was committed is there after reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'furikae-pglite-'));
    try {
      const first = recordingFsync(dir);
      let db = await createPgliteDatabase(dir, { fsync: first.fsync });
      for (const path of ['PG_VERSION', 'global/pg_control', 'pg_wal', '']) assert.ok(first.synced.includes(path), `${path || 'the folder'} was synced`);
      await db.exec('CREATE TABLE kept (id int PRIMARY KEY)');
      await db.query('INSERT INTO kept VALUES (1)');
      await db.close();
      const second = recordingFsync(dir);
      db = await createPgliteDatabase(dir, { fsync: second.fsync });
      assert.ok(!second.synced.includes('PG_VERSION'), 'an existing folder is not walked again');
      assert.deepEqual(await db.query('SELECT id FROM kept'), [{ id: 1 }]);
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('with sync_on_commit false (the bench\'s comparison) PGlite syncs nothing, as it ships', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'furikae-pglite-'));
    const recorder = recordingFsync(dir);
    const db = await createPgliteDatabase(dir, { sync_on_commit: false, fsync: recorder.fsync });
    try {
      assert.deepEqual(await db.query(`SELECT current_setting('fsync') AS fsync`), [{ fsync: 'off' }]);
      await db.exec('CREATE TABLE t (id int)');
      await db.query('INSERT INTO t VALUES (1)');
      assert.deepEqual(recorder.synced, []);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
