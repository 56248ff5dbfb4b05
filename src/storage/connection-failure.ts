import { DatabaseUnavailableError } from './database-unavailable-error.ts';

/**
 * SQLSTATEs that say the server, the session or its resources failed, not the statement: nothing about the
 * request was wrong, and the same request may succeed in a moment. Everything else (constraints, 22xxx data
 * errors, serialization failures and deadlocks, which callers retry themselves) stays the statement's own error.
 */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: `pg_ctl stop -m fast`, pg_terminate_backend
  '57P02', // crash_shutdown: another backend crashed and the server is resetting
  '57P03', // cannot_connect_now: starting up, shutting down, or a standby not yet promoted
  '57P04', // database_dropped
  '57P05', // idle_session_timeout
  '57014', // query_canceled: statement_timeout, or an operator's pg_cancel_backend
  '55P03', // lock_not_available: lock_timeout
  '25P03', // idle_in_transaction_session_timeout: the server closed a session that stalled
  '25006', // read_only_sql_transaction: connected to a standby (before or during a failover)
]);
/** Whole SQLSTATE classes of the same kind: 08 connection exception, 53 insufficient resources (disk full, too many connections). */
const UNAVAILABLE_SQLSTATE_CLASSES = new Set(['08', '53']);

/** Node's socket errors for a peer that cannot be reached or went away. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN',
  'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'ENOENT',
]);

/** node-postgres and pg-pool report a dead or unobtainable connection by message alone. */
const DRIVER_CONNECTION_MESSAGES = [
  /^Connection terminated/, // unexpectedly, due to connection timeout, or while a query was in flight
  /^timeout exceeded when trying to connect/, // no pool connection came free in time
  /is not queryable/, // the client already lost its connection
  /^Query read timeout/,
];

/**
 * True when `error` means the database could not be reached or stopped answering, as opposed to refusing this
 * statement. The batching writer fails a whole batch on these (an item cannot be at fault), and HTTP answers 503.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  if (error instanceof AggregateError && error.errors.some(isConnectionFailure)) return true;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    // First: EPIPE has the shape of a SQLSTATE.
    if (NETWORK_ERROR_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SQLSTATE_CLASSES.has(code.slice(0, 2));
  }
  return typeof message === 'string' && DRIVER_CONNECTION_MESSAGES.some((pattern) => pattern.test(message));
}

/** `error` as a DatabaseUnavailableError when it is a connection failure (with `detail` saying what was lost), else undefined. */
export function asDatabaseUnavailable(error: unknown, detail: string): DatabaseUnavailableError | undefined {
  if (error instanceof DatabaseUnavailableError) return error;
  if (!isConnectionFailure(error)) return undefined;
  return new DatabaseUnavailableError(detail, { cause: error });
}
