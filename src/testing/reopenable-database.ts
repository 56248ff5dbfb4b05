import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../storage/database.ts';
import { openDatabase, type OpenDatabaseOptions } from '../storage/open-database.ts';
import { freshPostgresUrl, type TestBackend } from './test-databases.ts';

/**
 * A database that another process can open after this one lets go: a fresh PostgreSQL database, or a PGlite folder
 * on disk (one process at a time). Kill tests hand `options` to a child process and reopen it after the kill.
 */
export interface ReopenableDatabase {
  options: OpenDatabaseOptions;
  /** What the furikae command needs to find it: DATABASE_URL, or FURIKAE_DATA_DIR (the PGlite folder is its bank/). */
  env: Record<string, string>;
  /** The same database as a test backend, for fixtures. */
  backend: TestBackend;
  open(): Promise<Database>;
  remove(): void;
}

/** A new empty reopenable database on this backend. */
export async function reopenableDatabase(backend: TestBackend): Promise<ReopenableDatabase> {
  const folder = backend.name === 'pglite' ? mkdtempSync(join(tmpdir(), 'furikae-pglite-')) : undefined;
  if (folder) mkdirSync(join(folder, 'bank'));
  const options: OpenDatabaseOptions = folder ? { pglite_dir: join(folder, 'bank') } : { database_url: await freshPostgresUrl() };
  const open = () => openDatabase(options);
  return {
    options,
    env: folder ? { FURIKAE_DATA_DIR: folder } : { DATABASE_URL: options.database_url! },
    backend: { name: backend.name, skip: false, concurrent_transactions: backend.concurrent_transactions, open },
    open,
    remove: () => folder && rmSync(folder, { recursive: true, force: true }),
  };
}
