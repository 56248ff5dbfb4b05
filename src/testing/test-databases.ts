import type { Database } from '../storage/database.ts';
import { openDatabase } from '../storage/open-database.ts';
import { createFreshDatabase } from './postgres-cluster.ts';

/** A backend the storage-touching suites run against. */
export interface TestBackend {
  name: 'pglite' | 'postgres';
  /** Why this backend is skipped in this run, if it is. */
  skip: string | false;
  /** A new empty database (in-memory PGlite, or a fresh PostgreSQL database). */
  open(schema?: string): Promise<Database>;
}

const postgresUrl = process.env.TEST_POSTGRES_URL;

/** Each backend once, as Kysely loops over dialects. */
export const testBackends: TestBackend[] = [
  { name: 'pglite', skip: false, open: (schema) => openDatabase({ schema }) },
  {
    name: 'postgres',
    skip: postgresUrl ? false : 'PostgreSQL is not installed and DATABASE_URL is not set',
    async open(schema) {
      if (!postgresUrl) throw new Error('no PostgreSQL for tests');
      return openDatabase({ database_url: await createFreshDatabase(postgresUrl), schema });
    },
  },
];

/** The URL of a fresh PostgreSQL database, for tests that start whole apps. */
export async function freshPostgresUrl(): Promise<string> {
  if (!postgresUrl) throw new Error('no PostgreSQL for tests');
  return createFreshDatabase(postgresUrl);
}
