import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../storage/database.ts';
import { testBackends } from '../testing/test-databases.ts';
import { migrate } from '../storage/migrate.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { checkInvariants } from '../ledger/check-invariants.ts';
import { generateHistory } from './generate-history.ts';

/** A digest of what the generator wrote: every charge, link and customer, in id order. */
async function digest(db: Database): Promise<string> {
  const [row] = await db.query<{ digest: string }>(
    `SELECT md5(concat_ws('|',
       (SELECT string_agg(id || ':' || link_id || ':' || amount_yen || ':' || created_at, ',' ORDER BY id) FROM charges),
       (SELECT string_agg(id || ':' || method || ':' || status, ',' ORDER BY id) FROM links),
       (SELECT string_agg(id || ':' || birth_date, ',' ORDER BY id) FROM customers),
       (SELECT string_agg(link_id || ':' || variant, ',' ORDER BY link_id) FROM lab_history_thefts))) AS digest`);
  return row!.digest;
}

for (const backend of testBackends) {
  describe(`furikae lab history on ${backend.name}`, { skip: backend.skip }, () => {
    const generate = async (seed: string) => {
      const db = await backend.open();
      await migrate(db, bankMigrationSets);
      // A theft rate high enough that 300 customers have some.
      const summary = await generateHistory(db, { customers: 300, charges: 3000, seed, theft_rate: 0.05 });
      return { db, summary };
    };

    test('the same seed writes the same history; another seed another; the ledger balances; thefts are labelled', async () => {
      const first = await generate('same');
      const second = await generate('same');
      const other = await generate('other');
      try {
        assert.equal(await digest(first.db), await digest(second.db));
        assert.notEqual(await digest(first.db), await digest(other.db));
        assert.deepEqual(first.summary, second.summary);
        assert.ok(first.summary.charges > 2000 && first.summary.charges < 4500, `charges ${first.summary.charges}`);
        assert.ok(first.summary.victims > 0);
        const [labelled] = await first.db.query<{ links: number; charges: number }>(
          `SELECT count(DISTINCT t.link_id)::int AS links, count(c.id)::int AS charges FROM lab_history_thefts t LEFT JOIN charges c ON c.link_id = t.link_id`);
        assert.deepEqual(labelled, { links: first.summary.theft_links, charges: first.summary.theft_charges });
        const invariants = await checkInvariants(first.db);
        assert.ok(invariants.ok, JSON.stringify(invariants));
        // Refuses a bank that already has customers, writing nothing.
        await assert.rejects(generateHistory(first.db, { customers: 1, charges: 1, seed: 'x' }), /empty bank/);
        assert.equal(await digest(first.db), await digest(second.db));
      } finally {
        await Promise.all([first.db.close(), second.db.close(), other.db.close()]);
      }
    });
  });
}
