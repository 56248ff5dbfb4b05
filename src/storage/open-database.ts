import type { Logger } from '../shared/logger.ts';
import type { Database } from './database.ts';
import type { DatabaseTimeouts } from './database-timeouts.ts';
import { createPgliteDatabase } from './pglite-database.ts';
import { createPostgresDatabase } from './postgres-database.ts';

export interface OpenDatabaseOptions {
  /** `postgres://…` for a server; absent for embedded PGlite. */
  database_url?: string;
  /** PGlite data folder; absent means in memory. */
  pglite_dir?: string;
  /** PostgreSQL schema (search_path) for this database's tables. */
  schema?: string;
  /** Where a PostgreSQL pool reports lost connections and outages. */
  log?: Logger;
  /** PostgreSQL: bounds other than the shipped DATABASE_TIMEOUTS (tests, long jobs). */
  timeouts?: Partial<DatabaseTimeouts>;
  /** PostgreSQL: the name the sessions show in pg_stat_activity. */
  application_name?: string;
}

/** Opens the backend the configuration names. */
export function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.database_url) {
    const { schema, log, timeouts, application_name } = options;
    return createPostgresDatabase({ url: options.database_url, schema, log, timeouts, application_name });
  }
  return createPgliteDatabase(options.pglite_dir);
}
