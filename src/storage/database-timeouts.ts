/**
 * How long the bank waits on PostgreSQL before it gives up and answers 503. Each bound turns a database that
 * is slow, locked up, hung or gone into a prompt `service_unavailable` instead of a request that never ends.
 * PGlite runs in process and has none of these: there is no connection to lose and no server to hang.
 */

/**
 * Opening a connection (TCP, authentication, the startup parameters) and waiting for a free one in the pool.
 * A healthy server on a LAN answers in milliseconds, a loaded one in well under a second; past this it is
 * unreachable or the pool is exhausted, and the caller is better served by a 503 than by waiting on.
 */
export const DATABASE_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Server side: the longest one statement may run before PostgreSQL cancels it (SQLSTATE 57014). The request
 * path's slowest statement, a 1,000-charge batch's set-based insert, takes tens of milliseconds; a statement
 * still running after this is stuck behind a lock or a runaway plan. Longer work (migrations, scans) asks for
 * its own bound through `transaction(work, { statement_timeout_ms })`.
 */
export const STATEMENT_TIMEOUT_MS = 5_000;

/**
 * Server side: the longest a statement waits for a row, table or advisory lock (SQLSTATE 55P03). Shorter than
 * the statement timeout so that a lock pile-up (a charge batch behind a long staff transaction, or another
 * process's batch on the same links) is named as such, while the normal wait for a batch's commit (milliseconds)
 * is far inside it.
 */
export const LOCK_TIMEOUT_MS = 2_000;

/**
 * Server side: a session that opened a transaction and then said nothing for this long is closed. Our
 * transactions never wait on anything but the database between statements (SMS, mail and webhooks go after the
 * commit), so only a process that froze (stopped, swapping, a debugger) trips it; its row locks would otherwise
 * block every charge on the same links until it woke.
 */
export const IDLE_IN_TRANSACTION_SESSION_TIMEOUT_MS = 10_000;

/**
 * Client side: how much longer than the server's own statement timeout the bank waits for an answer. A live
 * server answers by then, if only with its cancellation; a server that has not is hung (stopped, partitioned,
 * out of disk I/O), so the connection is destroyed rather than returned to the pool, and the caller gets 503.
 */
export const QUERY_TIMEOUT_MARGIN_MS = 1_000;

/**
 * TCP keepalive on idle pooled connections: a server that vanished without closing them (a failover that moved
 * an address, a cable) is noticed within about this much plus the kernel's probes, not at the next query.
 */
export const KEEPALIVE_INITIAL_DELAY_MS = 10_000;

/**
 * Migrations may rewrite whole tables and wait for another process's migration (an advisory lock) at start-up.
 * Still bounded: a migration that needs longer than this on a bank's database must be done online, in steps.
 */
export const MIGRATION_STATEMENT_TIMEOUT_MS = 10 * 60_000;

/**
 * COPY in and out (`copyFrom`, `copyTo`): a bulk load of generated history or the scan's read of a chunk of ledger
 * lines streams for as long as the data takes, so it runs in its own transaction with this bound instead.
 */
export const BULK_STATEMENT_TIMEOUT_MS = 10 * 60_000;

/** The bounds one PostgreSQL database applies; the constants above unless a test or a job says otherwise. */
export interface DatabaseTimeouts {
  connect_timeout_ms: number;
  statement_timeout_ms: number;
  lock_timeout_ms: number;
  idle_in_transaction_session_timeout_ms: number;
  query_timeout_margin_ms: number;
}

/** The shipped bounds. */
export const DATABASE_TIMEOUTS: DatabaseTimeouts = {
  connect_timeout_ms: DATABASE_CONNECT_TIMEOUT_MS,
  statement_timeout_ms: STATEMENT_TIMEOUT_MS,
  lock_timeout_ms: LOCK_TIMEOUT_MS,
  idle_in_transaction_session_timeout_ms: IDLE_IN_TRANSACTION_SESSION_TIMEOUT_MS,
  query_timeout_margin_ms: QUERY_TIMEOUT_MARGIN_MS,
};
