import type { Database } from './database.ts';
import { createPgliteDatabase } from './pglite-database.ts';
import { createPostgresDatabase } from './postgres-database.ts';

export interface OpenDatabaseOptions {
  /** `postgres://…` for a server; absent for embedded PGlite. */
  database_url?: string;
  /** PGlite data folder; absent means in memory. */
  pglite_dir?: string;
  /** PostgreSQL schema (search_path) for this database's tables. */
  schema?: string;
}

/** Opens the backend the configuration names. */
export function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.database_url) return createPostgresDatabase({ url: options.database_url, schema: options.schema });
  return createPgliteDatabase(options.pglite_dir);
}
