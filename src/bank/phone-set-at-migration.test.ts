import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { testBackends } from '../testing/test-databases.ts';
import { migrate } from '../storage/migrate.ts';
import { bankMigrations } from './bank-migrations.ts';

const PHONE_SET_AT_MIGRATION = '008_phone_set_at.sql';

for (const backend of testBackends) {
  describe(`the phone_set_at migration on ${backend.name}`, { skip: backend.skip }, () => {
    test('a customer opened before it counts their number from their opening, and a new customer without the time is refused', async () => {
      // The bank's migrations as they were before this one, applied to a database that then gets a customer.
      const before = mkdtempSync(join(tmpdir(), 'bank-migrations-'));
      for (const file of readdirSync(bankMigrations.folder).filter((name) => name.endsWith('.sql') && name < PHONE_SET_AT_MIGRATION)) {
        copyFileSync(new URL(file, bankMigrations.folder), join(before, file));
      }
      const db = await backend.open();
      try {
        await migrate(db, [{ name: bankMigrations.name, folder: pathToFileURL(`${before}/`) }]);
        const opened_at = new Date('2019-04-01T00:00:00Z');
        await db.query(
          `INSERT INTO customers (id, name_kanji, name_kana, birth_date, phone, email, address, login_id, password_hash, created_at)
           VALUES (gen_random_uuid(), '山田 花子', 'ヤマダ ハナコ', '1948-03-15', '090-1111-2222', 'h@example.jp', '仙台', 'hanako', 'scrypt$unused', $1)`,
          [opened_at]);
        assert.deepEqual(await migrate(db, [bankMigrations]), [`bank/${PHONE_SET_AT_MIGRATION}`]);
        const [row] = await db.query<{ phone_set_at: Date }>(`SELECT phone_set_at FROM customers WHERE login_id = 'hanako'`);
        assert.equal(row!.phone_set_at.toISOString(), opened_at.toISOString());
        await assert.rejects(db.query(
          `INSERT INTO customers (id, name_kanji, name_kana, birth_date, phone, email, address, login_id, password_hash, created_at)
           VALUES (gen_random_uuid(), '佐藤 一郎', 'サトウ イチロウ', '1960-01-01', '090-3333-4444', 's@example.jp', '東京', 'ichiro', 'scrypt$unused', now())`),
          /phone_set_at/);
      } finally {
        await db.close();
        rmSync(before, { recursive: true, force: true });
      }
    });
  });
}
