import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from './migrate.ts';
import { testBackends } from '../testing/test-databases.ts';

function migrationFolder(files: Record<string, string>): URL {
  const folder = mkdtempSync(join(tmpdir(), 'mig-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(folder, name), sql);
  return pathToFileURL(folder + '/');
}

for (const backend of testBackends) {
  describe(`migrations on ${backend.name}`, { skip: backend.skip }, () => {
    test('numbered migrations apply once, in order, and a second run applies nothing', async () => {
      const db = await backend.open();
      const folder = migrationFolder({
        '001_create.sql': 'CREATE TABLE things (id int PRIMARY KEY); CREATE TABLE other (id int);',
        '002_seed.sql': 'INSERT INTO things VALUES (1), (2);',
      });
      assert.deepEqual(await migrate(db, [{ name: 'demo', folder }]), ['demo/001_create.sql', 'demo/002_seed.sql']);
      assert.deepEqual(await migrate(db, [{ name: 'demo', folder }]), []);
      assert.deepEqual(await db.query('SELECT count(*)::int AS n FROM things'), [{ n: 2 }]);
      await db.close();
    });

    test('a failing migration rolls back and is not recorded', async () => {
      const db = await backend.open();
      const folder = migrationFolder({ '001_bad.sql': 'CREATE TABLE half (id int); SELECT no_such_function();' });
      await assert.rejects(migrate(db, [{ name: 'bad', folder }]));
      assert.deepEqual(await db.query(`SELECT to_regclass('half') AS t`), [{ t: null }]);
      assert.deepEqual(await db.query(`SELECT count(*)::int AS n FROM schema_migrations`), [{ n: 0 }]);
      await db.close();
    });

    test('a gap in the numbering is refused before anything runs', async () => {
      const db = await backend.open();
      const folder = migrationFolder({ '001_a.sql': 'CREATE TABLE a (id int);', '003_c.sql': 'CREATE TABLE c (id int);' });
      await assert.rejects(migrate(db, [{ name: 'gap', folder }]), /breaks the numbering/);
      await db.close();
    });
  });
}
