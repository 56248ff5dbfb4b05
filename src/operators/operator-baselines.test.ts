import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../storage/database.ts';
import { migrate } from '../storage/migrate.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { testBackends } from '../testing/test-databases.ts';
import { addOperatorActivity, loadOperatorActivity, type OperatorActivityKind } from './operator-activity.ts';
import { BASELINE_REFRESH_MS, computeOperatorBaselines, loadOperatorBaselines } from './operator-baselines.ts';
import { loadOperatorAnomalies } from './load-operator-anomalies.ts';
import { OPERATOR_ESTABLISHED_MS } from './operator-anomaly.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const NOW = new Date('2026-11-21T12:00:00Z');
const OPERATOR = '0190b6a4-0000-7000-8000-0000000000a1';
const OTHER = '0190b6a4-0000-7000-8000-0000000000b2';
const at = (ms_before_now: number) => new Date(NOW.getTime() - ms_before_now);

/** `n` events of a kind for the operator at one instant, in one upsert (one shard). */
async function add(db: Database, n: number, when: Date, kind: OperatorActivityKind = 'charge', operator_id = OPERATOR, shard?: number) {
  await addOperatorActivity(db, Array.from({ length: n }, () => ({ operator_id, kind })), when, shard);
}

for (const backend of testBackends) {
  describe(`operator baselines on ${backend.name}`, { skip: backend.skip }, () => {
    // One database for the suite (migrating costs seconds); each test starts from no activity and no stored baseline.
    let db: Database;
    before(async () => {
      db = await backend.open();
      await migrate(db, bankMigrationSets);
    });
    beforeEach(async () => {
      await db.query(`DELETE FROM operator_activity`);
      await db.query(`DELETE FROM operator_baselines`);
    });
    after(() => db?.close());

    test('the 10-minute and hour windows count every shard of an operator per kind, and nothing older or of another operator', async () => {
      await add(db, 3, at(MINUTE_MS), 'charge', OPERATOR, 0);
      await add(db, 2, at(MINUTE_MS), 'charge', OPERATOR, 15);
      await add(db, 4, at(30 * MINUTE_MS));
      await add(db, 7, at(61 * MINUTE_MS));
      await add(db, 1, at(5 * MINUTE_MS), 'refresh');
      await add(db, 9, at(MINUTE_MS), 'charge', OTHER);
      const counts = (await loadOperatorActivity(db, [OPERATOR], NOW)).get(OPERATOR)!;
      assert.deepEqual(counts.charge, { count_10m: 5, count_1h: 9 });
      assert.deepEqual(counts.refresh, { count_10m: 1, count_1h: 1 });
      assert.deepEqual(counts.link, { count_10m: 0, count_1h: 0 });
    });

    test('the baseline is the busiest 10 minutes and the busiest hour of the last 28 days, leaving out the last hour', async () => {
      // Day 3: an evening rush of 6 in one 10-minute stretch and 10 in its hour (4 more 40 minutes later).
      await add(db, 6, at(3 * DAY_MS));
      await add(db, 4, at(3 * DAY_MS - 40 * MINUTE_MS));
      // Day 10: 8 charges spread over 50 minutes: a busier hour than day 3's? No: 8 < 10; its 10 minutes hold 2.
      for (let minute = 0; minute < 50; minute += 12) await add(db, 2, at(10 * DAY_MS - minute * MINUTE_MS));
      // The last hour (a burst under way) and 29 days ago (out of history) count for nothing.
      await add(db, 500, at(20 * MINUTE_MS));
      await add(db, 50, at(29 * DAY_MS));
      const baseline = (await computeOperatorBaselines(db, [OPERATOR], NOW)).get(OPERATOR)!;
      assert.deepEqual(baseline.charge, { peak_10m: 6, peak_1h: 10 });
      assert.deepEqual(baseline.link, { peak_10m: 0, peak_1h: 0 });
    });

    test('a stored baseline is reused for 10 minutes, then recomputed', async () => {
      await add(db, 4, at(2 * DAY_MS));
      assert.equal((await loadOperatorBaselines(db, [OPERATOR], NOW)).get(OPERATOR)!.charge.peak_10m, 4);
      await add(db, 9, at(DAY_MS));
      const soon = new Date(NOW.getTime() + BASELINE_REFRESH_MS - 1);
      assert.equal((await loadOperatorBaselines(db, [OPERATOR], soon)).get(OPERATOR)!.charge.peak_10m, 4, 'still the stored one');
      const later = new Date(NOW.getTime() + BASELINE_REFRESH_MS);
      assert.equal((await loadOperatorBaselines(db, [OPERATOR], later)).get(OPERATOR)!.charge.peak_10m, 9, 'recomputed');
    });

    test('the 2020 leak: an operator whose busiest hour held 6 charges reaches level 5 at the 25th charge in 10 minutes, and not before', async () => {
      const registered_at = at(90 * DAY_MS);
      for (let day = 1; day <= 27; day++) await add(db, day % 7 === 0 ? 6 : 2, at(day * DAY_MS));
      const inputs = Array.from({ length: 25 }, () => ({ operator_id: OPERATOR, registered_at, kind: 'charge' as const }));
      const levels = (await loadOperatorAnomalies(db, inputs, NOW)).map((anomaly) => anomaly.level);
      // Its busiest 10 minutes held 6, above the established floor of 5: the 24th charge is 4×, the 25th 4.17×...
      assert.equal(levels[23], 4);
      assert.ok(levels.slice(0, 24).every((level) => level < 5));
      // ...so with the floor at 5 the level crosses 5 at the 30th; an operator with 1–2 a day crosses at the 25th.
      await db.query(`DELETE FROM operator_activity`);
      await db.query(`DELETE FROM operator_baselines`);
      for (let day = 1; day <= 27; day++) await add(db, 2, at(day * DAY_MS));
      const quiet = (await loadOperatorAnomalies(db, inputs, NOW)).map((anomaly) => anomaly.level);
      assert.deepEqual([quiet[23], quiet[24]], [4.8, 5]);
    });

    test('a new operator’s first ordinary day, growing from 10 to 300 charges an hour, never reaches level 3, let alone 5', async () => {
      const registered_at = at(DAY_MS);
      let highest = 0;
      for (let hour = 0; hour < 24; hour++) {
        const per_hour = Math.round(10 * 1.16 ** hour); // 10 in the first hour, ~300 by the evening
        const per_bucket = Math.ceil(per_hour / 30);
        for (let bucket = 0; bucket < 30; bucket += 1) {
          const when = new Date(registered_at.getTime() + hour * HOUR_MS + bucket * 2 * MINUTE_MS);
          const inputs = Array.from({ length: per_bucket }, () => ({ operator_id: OPERATOR, registered_at, kind: 'charge' as const }));
          const levels = await loadOperatorAnomalies(db, inputs, when);
          highest = Math.max(highest, ...levels.map((anomaly) => anomaly.level));
          await addOperatorActivity(db, inputs, when);
        }
      }
      assert.ok(highest < 3, `highest level ${highest}`);
      assert.ok(NOW.getTime() - registered_at.getTime() < OPERATOR_ESTABLISHED_MS);
    });
  });
}
