import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSameDatabase, raceTest, testBackends } from '../testing/test-databases.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { ManualClock } from '../shared/clock.ts';
import { createLogger } from '../shared/logger.ts';
import { migrate } from './migrate.ts';
import type { Database } from './database.ts';
import { createExpiredRowsSweeper, EXPIRED_ROWS_KEPT_MS, EXPIRING_TABLES, sweepExpiredRows } from './expired-rows-sweeper.ts';

const NOW = new Date('2026-11-10T01:00:00Z');
const at = (offset_ms: number) => new Date(NOW.getTime() + offset_ms);

/** One row in each expiring table per expiry given (null: never expires, where the table allows it). */
async function insertRows(db: Database, name: string, expiries: (Date | null)[]): Promise<void> {
  for (const [index, expires_at] of expiries.entries()) {
    const key = `${name}-${index}`;
    if (expires_at) await db.query(`INSERT INTO dpop_proofs_seen (jti_hash, expires_at) VALUES ($1, $2)`, [key, expires_at]);
    await db.query(`INSERT INTO oidc_payloads (model, id, payload, expires_at) VALUES ('ReplayDetection', $1, '{}', $2)`, [key, expires_at]);
    if (expires_at) await db.query(`INSERT INTO interaction_states (uid, expires_at) VALUES ($1, $2)`, [key, expires_at]);
  }
}

const keysLeft = async (db: Database) => ({
  dpop_proofs_seen: (await db.query<{ key: string }>(`SELECT jti_hash AS key FROM dpop_proofs_seen ORDER BY 1`)).map((row) => row.key),
  oidc_payloads: (await db.query<{ key: string }>(`SELECT id AS key FROM oidc_payloads ORDER BY 1`)).map((row) => row.key),
  interaction_states: (await db.query<{ key: string }>(`SELECT uid AS key FROM interaction_states ORDER BY 1`)).map((row) => row.key),
});

for (const backend of testBackends) {
  describe(`the expired-rows sweep on ${backend.name}`, { skip: backend.skip }, () => {
    const migrated = async () => {
      const db = await backend.open();
      await migrate(db, bankMigrationSets);
      return db;
    };

    test('rows past their expiry by more than five minutes go from every table; rows up to exactly five minutes past, unexpired ones and ones that never expire stay', async () => {
      const db = await migrated();
      try {
        await insertRows(db, 'gone', [at(-EXPIRED_ROWS_KEPT_MS - 1), at(-24 * 3600 * 1000)]);
        await insertRows(db, 'kept', [at(-EXPIRED_ROWS_KEPT_MS), at(-1), at(0), at(60_000)]);
        await insertRows(db, 'never', [null]);
        const deleted = await sweepExpiredRows(db, NOW);
        assert.deepEqual(deleted, { dpop_proofs_seen: 2, oidc_payloads: 2, interaction_states: 2 });
        const kept = ['kept-0', 'kept-1', 'kept-2', 'kept-3'];
        assert.deepEqual(await keysLeft(db), { dpop_proofs_seen: kept, oidc_payloads: [...kept, 'never-0'], interaction_states: kept });
        assert.deepEqual(await sweepExpiredRows(db, NOW), { dpop_proofs_seen: 0, oidc_payloads: 0, interaction_states: 0 }, 'a second sweep finds nothing');
      } finally {
        await db.close();
      }
    });

    test('a backlog larger than one statement goes in several bounded statements', async () => {
      const db = await migrated();
      try {
        await insertRows(db, 'old', Array.from({ length: 7 }, (_, index) => at(-EXPIRED_ROWS_KEPT_MS - 1 - index)));
        assert.deepEqual(await sweepExpiredRows(db, NOW, 3), { dpop_proofs_seen: 7, oidc_payloads: 7, interaction_states: 7 });
        assert.deepEqual(await keysLeft(db), { dpop_proofs_seen: [], oidc_payloads: [], interaction_states: [] });
        await assert.rejects(sweepExpiredRows(db, NOW, 0), /rows_max is a positive integer/);
      } finally {
        await db.close();
      }
    });

    test('the bank\'s sweeper job sweeps by itself on its interval, and stops', async () => {
      const db = await migrated();
      const sweeper = createExpiredRowsSweeper({ db, clock: new ManualClock(NOW.toISOString()), log: createLogger({ level: 'silent' }), interval_ms: 10 });
      try {
        await insertRows(db, 'old', [at(-EXPIRED_ROWS_KEPT_MS - 1)]);
        sweeper.start();
        for (let tries = 0; tries < 500 && (await keysLeft(db)).dpop_proofs_seen.length > 0; tries++) await sleep(10);
        assert.deepEqual(await keysLeft(db), { dpop_proofs_seen: [], oidc_payloads: [], interaction_states: [] });
        await sweeper.stop();
        await insertRows(db, 'after-stop', [at(-EXPIRED_ROWS_KEPT_MS - 1)]);
        await sleep(50);
        assert.equal((await keysLeft(db)).dpop_proofs_seen.length, 1, 'a stopped sweeper sweeps no more');
      } finally {
        await sweeper.stop();
        await db.close();
      }
    });

    // PostgreSQL only: PGlite runs one transaction at a time, so two sweeps cannot overlap there.
    raceTest(backend, 'two processes sweeping at once delete each expired row once', async () => {
      const db = await migrated();
      const other = await openSameDatabase(db);
      try {
        const count = 60;
        await insertRows(db, 'old', Array.from({ length: count }, (_, index) => at(-EXPIRED_ROWS_KEPT_MS - 1 - index)));
        const results = await Promise.all([db, other, db, other].map((pool) => sweepExpiredRows(pool, NOW, 4)));
        for (const { table } of EXPIRING_TABLES) {
          assert.equal(results.reduce((sum, result) => sum + result[table]!, 0), count, `${table}: each row counted by one sweep`);
        }
        assert.deepEqual(await keysLeft(db), { dpop_proofs_seen: [], oidc_payloads: [], interaction_states: [] });
      } finally {
        await other.close();
        await db.close();
      }
    });
  });
}
