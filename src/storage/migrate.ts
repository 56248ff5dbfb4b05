import { readdirSync, readFileSync } from 'node:fs';
import type { Database } from './database.ts';
import { MIGRATION_STATEMENT_TIMEOUT_MS } from './database-timeouts.ts';

/** A folder of numbered SQL files (`001_name.sql`) belonging to one module. */
export interface MigrationSet {
  name: string;
  folder: URL;
}

interface Migration {
  version: number;
  file: string;
}

const MIGRATION_FILE = /^(\d{3})_[a-z0-9_]+\.sql$/;

function listMigrations(set: MigrationSet): Migration[] {
  const migrations = readdirSync(set.folder)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = MIGRATION_FILE.exec(file);
      if (!match) throw new Error(`migration ${set.name}/${file} is not named NNN_name.sql`);
      return { version: Number(match[1]), file };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migration ${set.name}/${migration.file} breaks the numbering`);
  });
  return migrations;
}

/**
 * Applies each set's migrations that this database has not seen, in order, each in its own transaction.
 * An advisory lock keeps two processes starting at once from applying the same migration twice; each migration
 * has the long MIGRATION_STATEMENT_TIMEOUT_MS, for a table rewrite or that lock's wait, not the request path's bound.
 */
export async function migrate(db: Database, sets: readonly MigrationSet[]): Promise<string[]> {
  const applied: string[] = [];
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    set_name text NOT NULL, version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (set_name, version))`);
  for (const set of sets) {
    for (const migration of listMigrations(set)) {
      const sql = readFileSync(new URL(migration.file, set.folder), 'utf8');
      await db.transaction(async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock(hashtext('furikae.migrate'))`);
        const seen = await tx.query(`SELECT 1 FROM schema_migrations WHERE set_name = $1 AND version = $2`, [set.name, migration.version]);
        if (seen.length > 0) return;
        await tx.exec(sql);
        await tx.query(`INSERT INTO schema_migrations (set_name, version) VALUES ($1, $2)`, [set.name, migration.version]);
        applied.push(`${set.name}/${migration.file}`);
      }, { statement_timeout_ms: MIGRATION_STATEMENT_TIMEOUT_MS });
    }
  }
  return applied;
}
