import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../storage/database.ts';
import { openDatabase } from '../storage/open-database.ts';

/** A backend the storage-touching suites run against. */
export interface TestBackend {
  name: 'pglite' | 'postgres';
  /** Why this backend is skipped in this run, if it is. */
  skip: string | false;
  /** A new empty database (in-memory PGlite, or a fresh PostgreSQL database). */
  open(schema?: string): Promise<Database>;
}

const postgresUrl = process.env.TEST_POSTGRES_URL;

async function createFreshPostgresDatabase(adminUrl: string): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Each backend once, as Kysely loops over dialects. */
export const testBackends: TestBackend[] = [
  { name: 'pglite', skip: false, open: (schema) => openDatabase({ schema }) },
  {
    name: 'postgres',
    skip: postgresUrl ? false : 'PostgreSQL is not installed and DATABASE_URL is not set',
    async open(schema) {
      if (!postgresUrl) throw new Error('no PostgreSQL for tests');
      return openDatabase({ database_url: await createFreshPostgresDatabase(postgresUrl), schema });
    },
  },
];

/** The URL of a fresh PostgreSQL database, for tests that start whole apps. */
export async function freshPostgresUrl(): Promise<string> {
  if (!postgresUrl) throw new Error('no PostgreSQL for tests');
  return createFreshPostgresDatabase(postgresUrl);
}
