import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database, Queryable } from '../storage/database.ts';
import { raceTest, testBackends } from '../testing/test-databases.ts';
import { DatabaseUnavailableError } from '../storage/database-unavailable-error.ts';
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

    test('an item that fails alone rolls back alone: every other caller in its batch commits exactly once, and only it gets the error', async () => {
      const attempts: number[][] = [];
      const batcher = createBatcher<number, string>({
        db,
        items_max: 8,
        async process(tx, items) {
          attempts.push([...items]);
          await tx.query(`INSERT INTO items (value, batch) SELECT unnest($1::int[]), 0`, [items]);
          if (items.includes(505)) throw new Error('item 505 cannot be stored');
          return items.map(String);
        },
      });
      const values = [500, 501, 502, 503, 504, 505, 506, 507];
      const outcomes = await Promise.allSettled(values.map((value) => batcher.submit(value)));
      assert.deepEqual(outcomes.map((outcome) => outcome.status), values.map((value) => (value === 505 ? 'rejected' : 'fulfilled')));
      assert.match(String((outcomes[5] as PromiseRejectedResult).reason), /item 505 cannot be stored/);
      for (const value of values.filter((value) => value !== 505)) assert.equal(await committed(value), true, `${value} committed`);
      assert.equal(await committed(505), false);
      // Bisection: the whole batch, then halves, quarters, pairs, down to 505 alone; each good item commits in exactly one attempt.
      assert.deepEqual(attempts, [values, [500, 501, 502, 503], [504, 505, 506, 507], [504, 505], [504], [505], [506, 507]]);
      await batcher.close();
    });

    test('several failing items among good ones each fail alone and the good ones in between commit', async () => {
      const batcher = createBatcher<number, string>({
        db,
        items_max: 16,
        async process(tx, items) {
          await tx.query(`INSERT INTO items (value, batch) SELECT unnest($1::int[]), 0`, [items]);
          const bad = items.find((item) => item % 5 === 0);
          if (bad !== undefined) throw new Error(`item ${bad} cannot be stored`);
          return items.map(String);
        },
      });
      const values = Array.from({ length: 13 }, (_, index) => 801 + index);
      const outcomes = await Promise.allSettled(values.map((value) => batcher.submit(value)));
      values.forEach((value, index) => {
        const outcome = outcomes[index]!;
        if (value % 5 === 0) assert.match(String((outcome as PromiseRejectedResult).reason), new RegExp(`item ${value} cannot`));
        else assert.deepEqual(outcome, { status: 'fulfilled', value: String(value) });
      });
      const stored = await db.query<{ value: number }>(`SELECT value FROM items WHERE value BETWEEN 801 AND 813 ORDER BY value`);
      assert.deepEqual(stored.map((row) => row.value), values.filter((value) => value % 5 !== 0));
      await batcher.close();
    });

    test('an unreachable database fails the whole batch at once with that error, without retrying halves', async () => {
      let attempts = 0;
      const unavailable = new DatabaseUnavailableError('the database connection was lost');
      const batcher = createBatcher<number, string>({
        db,
        items_max: 8,
        async process(_tx, items) {
          attempts++;
          if (items.includes(903)) throw unavailable;
          return items.map(String);
        },
      });
      const outcomes = await Promise.allSettled([900, 901, 902, 903, 904].map((value) => batcher.submit(value)));
      assert.deepEqual(outcomes, Array(5).fill({ status: 'rejected', reason: unavailable }));
      assert.equal(attempts, 1);
      await batcher.close();
    });

    test('the next batch still commits after one that failed', async () => {
      const batcher = createBatcher<number, string>({
        db,
        items_max: 2,
        async process(tx, items) {
          await tx.query(`INSERT INTO items (value, batch) SELECT unnest($1::int[]), 0`, [items]);
          if (items.includes(952)) throw new Error('batch failed');
          return items.map(String);
        },
      });
      const outcomes = await Promise.allSettled([950, 951, 952, 953, 954].map((value) => batcher.submit(value)));
      assert.deepEqual(outcomes.map((outcome) => outcome.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      assert.equal(await committed(952), false);
      assert.equal(await committed(953), true);
      assert.equal(await committed(954), true);
      await batcher.close();
    });

    test('a process that answers fewer items than it was given rolls back and rejects every item, even alone', async () => {
      const batcher = createBatcher<number, string>({
        db,
        items_max: 10,
        async process(tx, items) {
          await tx.query(`INSERT INTO items (value, batch) SELECT unnest($1::int[]), 0`, [items]);
          return items.slice(1).map(String);
        },
      });
      const outcomes = await Promise.allSettled([batcher.submit(600), batcher.submit(601)]);
      for (const outcome of outcomes) assert.match(String((outcome as PromiseRejectedResult).reason), /answered 0 of 1/);
      assert.equal(await committed(600), false);
      assert.equal(await committed(601), false);
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
