import { test, type TestContext } from 'node:test';
import type { Database } from '../storage/database.ts';
import { openDatabase } from '../storage/open-database.ts';
import { createFreshDatabase } from './postgres-cluster.ts';

/** A backend the storage-touching suites run against. */
export interface TestBackend {
  name: 'pglite' | 'postgres';
  /**
   * Why this backend is skipped in this run (naming what is missing), if it is. A skip fails the run under
   * CI=true (scripts/test.ts), so in CI both backends always run.
   */
  skip: string | false;
  /**
   * Whether two transactions can run at the same time here. PGlite runs one whole transaction at a time, so a
   * race between transactions cannot happen on it: see `raceTest`.
   */
  concurrent_transactions: boolean;
  /** A new empty database (in-memory PGlite, or a fresh PostgreSQL database). */
  open(schema?: string): Promise<Database>;
}

const postgresUrl = process.env.TEST_POSTGRES_URL;
/** Where each PostgreSQL test database lives, so that a second "process" can open its own pool on it. */
const opened = new WeakMap<Database, { database_url: string; schema: string | undefined }>();
const NO_POSTGRES = 'PostgreSQL: TEST_POSTGRES_URL is not set (npm test sets it from DATABASE_URL or a throwaway cluster made with initdb)';

/** FURIKAE_TEST_BACKENDS=postgres (or pglite) runs one backend while working on something; the other is skipped, which CI refuses. */
const chosen = process.env.FURIKAE_TEST_BACKENDS?.split(',').map((name) => name.trim());
const leftOut = (name: TestBackend['name']) => (chosen && !chosen.includes(name) ? `${name}: left out by FURIKAE_TEST_BACKENDS=${chosen.join(',')}` : false);

/** Each backend once, as Kysely loops over dialects. */
export const testBackends: TestBackend[] = [
  { name: 'pglite', skip: leftOut('pglite'), concurrent_transactions: false, open: (schema) => openDatabase({ schema }) },
  {
    name: 'postgres',
    skip: leftOut('postgres') || (postgresUrl ? false : NO_POSTGRES),
    concurrent_transactions: true,
    async open(schema) {
      if (!postgresUrl) throw new Error(NO_POSTGRES);
      const database_url = await createFreshDatabase(postgresUrl);
      const db = await openDatabase({ database_url, schema });
      opened.set(db, { database_url, schema });
      return db;
    },
  },
];

/** The URL of a fresh PostgreSQL database, for tests that start whole apps. */
export async function freshPostgresUrl(): Promise<string> {
  if (!postgresUrl) throw new Error(NO_POSTGRES);
  return createFreshDatabase(postgresUrl);
}

/**
 * A second connection pool on a PostgreSQL test database, as a second server process would have: its transactions
 * run truly alongside the first pool's, so two apps over the two pools race as two processes do.
 */
export async function openSameDatabase(db: Database): Promise<Database> {
  const where = opened.get(db);
  if (!where) throw new Error('openSameDatabase needs a PostgreSQL database opened by a test backend');
  return openDatabase(where);
}

/** The `postgres://…` a PostgreSQL test database lives at, for a test that starts whole bank processes on it. */
export function databaseUrlOf(db: Database): string {
  const where = opened.get(db);
  if (!where) throw new Error('databaseUrlOf needs a PostgreSQL database opened by a test backend');
  return where.database_url;
}

/**
 * Registers a test that proves something about concurrent transactions (a race, "answered only after COMMIT"),
 * on backends where transactions really run concurrently: PostgreSQL. PGlite serialises whole transactions, so
 * there the race cannot happen and the test would pass whatever the code did. On PGlite the test is not
 * registered at all rather than skipped, so the CI rule against skips stays strict; PostgreSQL is mandatory in CI.
 */
export function raceTest(backend: TestBackend, name: string, fn: (t: TestContext) => Promise<void>): void {
  if (backend.concurrent_transactions) test(name, fn);
}
