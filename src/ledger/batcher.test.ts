import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database, Queryable } from '../storage/database.ts';
import { raceTest, testBackends } from '../testing/test-databases.ts';
import { createBatcher } from './batcher.ts';

for (const backend of testBackends) {
  describe(`the batching writer on ${backend.name}`, { skip: backend.skip }, () => {
    let db: Database;
    before(async () => {
      db = await backend.open();
      await db.query(`CREATE TABLE items (value int PRIMARY KEY, batch int NOT NULL)`);
    });
    after(() => db.close());

    /** A batcher that inserts each item and records the size of every batch it runs. */
    function recordingBatcher(items_max: number) {
      const batch_sizes: number[] = [];
      const batcher = createBatcher<number, string>({
        db,
        items_max,
        async process(tx: Queryable, items) {
          batch_sizes.push(items.length);
          await tx.query(`INSERT INTO items (value, batch) SELECT unnest($1::int[]), $2`, [items, batch_sizes.length]);
          return items.map((item) => `stored ${item}`);
        },
      });
      return { batcher, batch_sizes };
    }

    async function committed(value: number): Promise<boolean> {
      return (await db.query(`SELECT 1 FROM items WHERE value = $1`, [value])).length === 1;
    }

    test('concurrent submits share batches of at most items_max, in order, each caller getting its own result', async () => {
      const { batcher, batch_sizes } = recordingBatcher(4);
      const results = await Promise.all(Array.from({ length: 10 }, (_, index) => batcher.submit(100 + index)));
      assert.deepEqual(results, Array.from({ length: 10 }, (_, index) => `stored ${100 + index}`));
      assert.deepEqual(batch_sizes, [4, 4, 2]);
      await batcher.close();
    });

    // PostgreSQL only: PGlite runs one transaction at a time, so the read below would wait for the COMMIT and see the
    // row even if the batcher answered before it. On PostgreSQL the read runs on another connection at once.
    raceTest(backend, 'every caller is answered only after its batch has committed', async () => {
      // The COMMIT itself is made slow (a deferred trigger sleeps in it), so that a caller answered before the COMMIT
      // has finished reads while its batch is still uncommitted, and finds nothing; without this the window is too
      // short for the read to land in.
      await db.exec(`
        CREATE TABLE slow_items (value int PRIMARY KEY);
        CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.1); RETURN NULL; END $$;
        CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON slow_items DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();`);
      const batcher = createBatcher<number, string>({
        db,
        items_max: 3,
        async process(tx, items) {
          await tx.query(`INSERT INTO slow_items (value) SELECT unnest($1::int[])`, [items]);
          return items.map(String);
        },
      });
      const checks = Array.from({ length: 7 }, (_, index) =>
        // Read on the database itself, outside the batch's transaction: only committed rows are visible there.
        batcher.submit(200 + index).then(async () => (await db.query(`SELECT 1 FROM slow_items WHERE value = $1`, [200 + index])).length === 1),
      );
      assert.deepEqual(await Promise.all(checks), Array(7).fill(true));
      await batcher.close();
    });

    test('items submitted while a batch commits queue for the next batch', async () => {
      const { batcher, batch_sizes } = recordingBatcher(100);
      const first = batcher.submit(300);
      // Let the writer start on the first item alone.
      await new Promise((resolve) => setImmediate(resolve));
      const rest = batcher.submitMany([301, 302, 303, 304, 305]);
      assert.equal(await first, 'stored 300');
      assert.deepEqual(await rest, ['stored 301', 'stored 302', 'stored 303', 'stored 304', 'stored 305']);
      assert.deepEqual(batch_sizes, [1, 5]);
      await batcher.close();
    });

    test('a group larger than items_max spans batches and still answers in order', async () => {
      const { batcher, batch_sizes } = recordingBatcher(4);
      const values = Array.from({ length: 9 }, (_, index) => 400 + index);
      assert.deepEqual(await batcher.submitMany(values), values.map((value) => `stored ${value}`));
      assert.deepEqual(batch_sizes, [4, 4, 1]);
      await batcher.close();
    });

    test('a batch that throws rejects every caller in it, rolls back, and the next batch still commits', async () => {
      const batch_sizes: number[] = [];
      const batcher = createBatcher<number, string>({
        db,
        items_max: 2,
        async process(tx, items) {
          batch_sizes.push(items.length);
          await tx.query(`INSERT INTO items (value, batch) SELECT unnest($1::int[]), 0`, [items]);
          if (items.includes(502)) throw new Error('batch failed');
          return items.map(String);
        },
      });
      const outcomes = await Promise.allSettled([500, 501, 502, 503, 504].map((value) => batcher.submit(value)));
      assert.deepEqual(outcomes.map((outcome) => outcome.status), ['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
      assert.deepEqual(batch_sizes, [2, 2, 1]);
      assert.equal(await committed(502), false);
      assert.equal(await committed(503), false);
      assert.equal(await committed(504), true);
      await batcher.close();
    });

    test('a process that answers fewer items than it was given rolls back and rejects the batch', async () => {
      const batcher = createBatcher<number, string>({
        db,
        items_max: 10,
        async process(tx, items) {
          await tx.query(`INSERT INTO items (value, batch) SELECT unnest($1::int[]), 0`, [items]);
          return items.slice(1).map(String);
        },
      });
      await assert.rejects(Promise.all([batcher.submit(600), batcher.submit(601)]), /answered 1 of 2/);
      assert.equal(await committed(600), false);
      await batcher.close();
    });

    test('close waits for queued items and then refuses new ones', async () => {
      const { batcher } = recordingBatcher(2);
      const pending = batcher.submitMany([700, 701, 702]);
      await batcher.close();
      assert.equal(await committed(702), true);
      assert.deepEqual(await pending, ['stored 700', 'stored 701', 'stored 702']);
      await assert.rejects(batcher.submit(703), /closed/);
    });
  });
}
