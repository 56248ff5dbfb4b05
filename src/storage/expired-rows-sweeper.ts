import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { assert } from '../shared/assert.ts';
import { createPeriodicJob, type PeriodicJob } from '../shared/periodic-job.ts';
import type { Database } from './database.ts';

/** A table whose rows carry `expires_at` and mean nothing once it has passed. */
export interface ExpiringTable {
  table: string;
  /** What the rows are, and why one past its expiry may go. */
  why: string;
}

/**
 * The tables the sweeper empties of expired rows, each of which grew without end before: every charge with a DPoP
 * proof and every link's authorization leaves one or more rows that nothing else deletes.
 */
export const EXPIRING_TABLES: readonly ExpiringTable[] = [
  { table: 'dpop_proofs_seen', why: 'the jti of each DPoP proof used at the charge API; past its window a replay fails on its iat alone' },
  { table: 'oidc_payloads', why: 'oidc-provider records (codes, PAR requests, sessions, replay records); it ignores them once expired' },
  { table: 'interaction_states', why: 'the bank\'s state of a login or consent a customer left unfinished' },
];

/**
 * How long a row is kept past its `expires_at`. A DPoP proof is accepted while its iat is within 300 s of the
 * verifying process's clock, and its record expires at iat + 300 s by the clock of the process that wrote it:
 * deleting it the moment it expires would leave the rest of that second, and any lag of another machine's clock,
 * open to a replay. Five minutes covers clock steps far beyond what NTP lets through, and costs only table rows.
 */
export const EXPIRED_ROWS_KEPT_MS = 5 * 60 * 1000;

/** Rows deleted per statement: each statement is its own short transaction, so a backlog never holds locks for long. */
export const EXPIRED_ROWS_PER_STATEMENT_MAX = 5_000;

/** How often the sweep runs: expired rows are only a size problem, and a minute keeps each pass small. */
export const EXPIRED_ROWS_SWEEP_INTERVAL_MS = 60_000;

/**
 * Deletes rows past `expires_at` + EXPIRED_ROWS_KEPT_MS from the EXPIRING_TABLES, in bounded statements. Safe in
 * every process at once: each statement skips rows another is deleting (SKIP LOCKED), so none waits on another.
 * Returns how many rows it deleted, by table.
 */
export async function sweepExpiredRows(db: Database, now: Date, rows_max = EXPIRED_ROWS_PER_STATEMENT_MAX): Promise<Record<string, number>> {
  assert(Number.isSafeInteger(rows_max) && rows_max >= 1, 'rows_max is a positive integer');
  const before = new Date(now.getTime() - EXPIRED_ROWS_KEPT_MS);
  const deleted: Record<string, number> = {};
  for (const { table } of EXPIRING_TABLES) {
    deleted[table] = 0;
    for (;;) {
      // ctid: one statement shape for every table, whatever its key; the rows are locked by the same statement.
      const rows = await db.query(
        `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM ${table} WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)) RETURNING 1`, [before, rows_max]);
      deleted[table] += rows.length;
      if (rows.length < rows_max) break;
    }
  }
  return deleted;
}

/** Runs sweepExpiredRows every `interval_ms` (and backs off while the database is away) until stopped. */
export function createExpiredRowsSweeper({ db, clock, log, interval_ms = EXPIRED_ROWS_SWEEP_INTERVAL_MS }: { db: Database; clock: Clock; log: Logger; interval_ms?: number }): PeriodicJob {
  return createPeriodicJob({
    job: 'expired-rows sweep', log, interval_ms,
    async pass() {
      const deleted = await sweepExpiredRows(db, clock.now());
      if (Object.values(deleted).some((count) => count > 0)) log.info({ deleted }, 'expired rows swept');
    },
  });
}
