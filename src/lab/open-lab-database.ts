import type { Database } from '../storage/database.ts';
import type { DatabaseTimeouts } from '../storage/database-timeouts.ts';
import { openDatabase } from '../storage/open-database.ts';
import { createFreshDatabase } from '../testing/postgres-cluster.ts';

/**
 * The real-time bounds of a lab run's PostgreSQL database. The bank's shipped bounds (5 s for a free connection, a
 * statement, …) turn a slow server into a prompt 503 for a waiting customer; in the lab the bank lives on a simulated
 * clock, opens customers eight at a time and shares the machine with PostgreSQL and scrypt, so a busy moment must
 * cost wall time, not a 503 that no 2020 customer ever met. A hung server still ends the run, after two minutes.
 */
const LAB_DATABASE_TIMEOUTS: DatabaseTimeouts = {
  connect_timeout_ms: 120_000,
  statement_timeout_ms: 120_000,
  lock_timeout_ms: 60_000,
  idle_in_transaction_session_timeout_ms: 300_000,
  query_timeout_margin_ms: 10_000,
};

/**
 * A fresh, empty database for one lab run: in-memory PGlite without a server, else a new database on the server at
 * `admin_url` (named `name`, replacing one of that name; a random name when absent), with the lab's bounds.
 */
export async function openLabDatabase(admin_url: string | undefined, name?: string): Promise<Database> {
  if (!admin_url) return openDatabase({});
  return openDatabase({ database_url: await createFreshDatabase(admin_url, name), timeouts: LAB_DATABASE_TIMEOUTS, application_name: 'furikae-lab' });
}
