import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../storage/database.ts';
import { migrate } from '../storage/migrate.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { openSameDatabase, raceTest, testBackends } from '../testing/test-databases.ts';
import { addVelocity, loadVelocity, velocityCount, VELOCITY_SHARDS, type VelocityKey } from './risk-velocity.ts';

const NOW = new Date('2026-11-21T03:00:00Z');
const IP: VelocityKey = { dimension: 'ip', key: '203.0.113.7' };
const LINK: VelocityKey = { dimension: 'link', key: '0190b6a4-0000-7000-8000-000000000001' };

for (const backend of testBackends) {
  describe(`charge velocity counters on ${backend.name}`, { skip: backend.skip }, () => {
    let db: Database;
    beforeEach(async () => {
      db = await backend.open();
      await migrate(db, bankMigrationSets);
    });
    afterEach(() => db?.close());

    test('a window counts every shard of a key, and only that key', async () => {
      await addVelocity(db, [IP, IP, LINK], NOW, 0);
      await addVelocity(db, [IP], NOW, VELOCITY_SHARDS - 1);
      await addVelocity(db, [IP], new Date(NOW.getTime() + 60_000));
      const counts = await loadVelocity(db, [IP, LINK, { dimension: 'ip', key: '198.51.100.1' }], new Date(NOW.getTime() + 120_000));
      assert.equal(velocityCount(counts, IP), 4);
      assert.equal(velocityCount(counts, LINK), 1);
      assert.equal(velocityCount(counts, { dimension: 'ip', key: '198.51.100.1' }), 0);
    });

    test('counts older than the window are not read', async () => {
      await addVelocity(db, [IP], NOW, 2);
      const counts = await loadVelocity(db, [IP], new Date(NOW.getTime() + 61 * 60_000));
      assert.equal(velocityCount(counts, IP), 0);
    });

    // Two transactions at once exist only on PostgreSQL (PGlite runs one at a time): see raceTest.
    raceTest(backend, 'two batches adding to one counter in different shards do not wait for each other', async () => {
      const other = await openSameDatabase(db);
      try {
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let added!: () => void;
        const firstAdded = new Promise<void>((resolve) => (added = resolve));
        const first = db.transaction(async (tx) => {
          await addVelocity(tx, [IP], NOW, 0);
          added();
          await held;
        });
        await firstAdded;
        // Were the counter one row, this would wait for the first batch's commit and fail on the lock timeout.
        await other.transaction(async (tx) => {
          await tx.query(`SET LOCAL lock_timeout = '500ms'`);
          await addVelocity(tx, [IP], NOW, 1);
        });
        release();
        await first;
        assert.equal(velocityCount(await loadVelocity(db, [IP], NOW), IP), 2);
      } finally {
        await other.close();
      }
    });
  });
}
