import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import pg from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFromStdin, to as copyToStdout } from 'pg-copy-streams';
import type { Logger } from '../shared/logger.ts';
import type { Database, Queryable, TransactionOptions } from './database.ts';
import { INT8_OID, parseInt8 } from './int8.ts';
import { copyStatement } from './copy-statement.ts';
import { createCircuitBreaker, type CircuitBreaker } from './circuit-breaker.ts';
import { asDatabaseUnavailable } from './connection-failure.ts';
import { DatabaseUnavailableError } from './database-unavailable-error.ts';
import { checkSessionTarget, createHostCursor, parseDatabaseHosts, type DatabaseHosts, type HostCursor } from './postgres-hosts.ts';
import { BULK_STATEMENT_TIMEOUT_MS, DATABASE_TIMEOUTS, KEEPALIVE_INITIAL_DELAY_MS, type DatabaseTimeouts } from './database-timeouts.ts';

export interface PostgresOptions {
  url: string;
  /** Schema to use as search_path, created if missing: lets the wallet keep its tables apart. */
  schema?: string;
  /** Pool size: the batching writer needs one connection, readers the rest. */
  connections_max?: number;
  /** Where connection losses and outages are reported (once per outage, not per request). */
  log?: Logger;
  /** The bounds on connecting and on each statement; DATABASE_TIMEOUTS unless a test or a long job says otherwise. */
  timeouts?: Partial<DatabaseTimeouts>;
  /** Shown in pg_stat_activity, so an operator can tell the bank's sessions from the wallets' and from psql. */
  application_name?: string;
}

/** Connections in one process's pool unless told otherwise: the batching writer needs one, readers the rest. */
export const POSTGRES_CONNECTIONS_MAX_DEFAULT = 10;

/** Tries of BEGIN before a transaction gives up: the first may meet a pooled connection that died while idle. */
const BEGIN_ATTEMPTS_MAX = 2;

const types = {
  getTypeParser: (oid: number, format?: string) =>
    oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format as 'text'),
};

/**
 * Distinct SQL texts run as named prepared statements. The server then parses and plans each once per connection
 * instead of on every call: the charge batch's feature query took 4.0 ms a batch parsed each time and 1.4 ms
 * prepared (scratch profile, 32 charges a batch). Every statement in the code is a fixed text with array
 * parameters, so the set is small; past this many, further texts run unnamed rather than grow each connection.
 * node-postgres remembers what it prepared per connection (`connection.parsedStatements`), so a connection
 * opened after an outage or a failover prepares each statement afresh on first use.
 */
export const PREPARED_STATEMENTS_MAX = 1000;
const statementNames = new Map<string, string>();
let renamings = 0;

/** The prepared-statement name for a parameterised statement, or undefined to run it unnamed. */
function statementName(sql: string): string | undefined {
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < PREPARED_STATEMENTS_MAX) {
    name = `furikae_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/** PostgreSQL's refusal to run a prepared statement whose columns changed under it (`t.*` after ALTER TABLE). */
function isStalePlan(error: unknown): boolean {
  return (error as { code?: string }).code === '0A000' && /cached plan must not change result type/.test(String((error as Error).message));
}

/**
 * A query on a client: with parameters, a prepared statement (one statement by definition). A statement reading
 * every column of a table (the staff charges view's `c.*`) goes stale when a migration adds a column while this
 * process runs; it is then prepared afresh under a new name. Outside a transaction it runs again at once (nothing
 * ran); inside one, which the error has aborted, the caller's transaction fails this once.
 */
async function run(client: pg.PoolClient, sql: string, params: readonly unknown[], in_transaction: boolean) {
  const name = params.length > 0 ? statementName(sql) : undefined;
  if (!name) return client.query(sql, params as unknown[]);
  try {
    return await client.query({ name, text: sql, values: params as unknown[] });
  } catch (error) {
    if (!isStalePlan(error)) throw error;
    const renamed = `furikae_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}_${++renamings}`;
    statementNames.set(sql, renamed);
    if (in_transaction) throw error;
    return client.query({ name: renamed, text: sql, values: params as unknown[] });
  }
}

/** One checked-out connection and what we learnt about it while using it. */
interface Session {
  client: pg.PoolClient;
  /** The connection is dead or was cut off: it must be destroyed, never returned to the pool. */
  broken: boolean;
  /** The previous statement on this connection; the next starts its clock only once it is sent. */
  tail: Promise<unknown>;
}

/** Cuts a connection at once, as pg-pool does on a connect timeout: a hung server never answers a polite goodbye. */
function destroyConnection(client: pg.PoolClient): void {
  (client as unknown as { connection?: { stream?: Socket } }).connection?.stream?.destroy();
}

/**
 * A node-postgres client that connects to the host the cursor names (node-postgres knows one host per client) and
 * tells the cursor when that host could not be reached, so the next connection tries the next host.
 */
function hostClientClass(hosts: DatabaseHosts, cursor: HostCursor) {
  return class HostClient extends pg.Client {
    readonly host_index: number;
    constructor(config: pg.ClientConfig) {
      const host_index = cursor.current();
      super({ ...config, connectionString: hosts.urls[host_index] });
      this.host_index = host_index;
    }

    override connect(): Promise<pg.Client>;
    override connect(callback: (error: Error) => void): void;
    override connect(callback?: (error: Error) => void): Promise<pg.Client> | void {
      if (callback) {
        return super.connect((error: Error) => {
          if (error) cursor.failed(this.host_index, error);
          callback(error);
        });
      }
      return super.connect().catch((error: unknown) => {
        cursor.failed(this.host_index, error);
        throw error;
      });
    }
  };
}

function reasonOf(error: unknown): { code?: unknown; reason: string } {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return { code, reason: String(message ?? error) };
}

/**
 * Connects to a PostgreSQL server through a pool that survives the server going away. Every connection has an
 * `error` listener (an unhandled one would crash the process), each statement is bounded on the server
 * (statement, lock and idle-in-transaction timeouts) and on the client (a hung server's connection is destroyed),
 * and every connection-level failure reaches the caller as DatabaseUnavailableError, which HTTP answers with 503.
 * Statements' own errors (constraints, bad data, serialization failures) pass through unchanged.
 */
export async function createPostgresDatabase(options: PostgresOptions): Promise<Database> {
  const { url, schema, connections_max = POSTGRES_CONNECTIONS_MAX_DEFAULT, log, application_name = 'furikae' } = options;
  const timeouts: DatabaseTimeouts = { ...DATABASE_TIMEOUTS, ...options.timeouts };
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  // Several hosts with target_session_attrs, as libpq reads them: after a failover new connections find the new primary.
  const hosts = parseDatabaseHosts(url);
  const cursor = createHostCursor(hosts, log);
  const HostClient = hostClientClass(hosts, cursor);
  /** A fresh session on a host the target refuses (a standby) is closed, and the cursor moves on, as libpq does. */
  async function acceptSession(client: pg.ClientBase): Promise<void> {
    const { host_index } = client as InstanceType<typeof HostClient>;
    try {
      await checkSessionTarget(client, hosts.target, hosts.names[host_index] ?? 'default', timeouts.connect_timeout_ms);
    } catch (error) {
      cursor.failed(host_index, error);
      throw error;
    }
  }
  /** Tries each host at most once, in the cursor's order, for a session the target accepts. */
  async function connectClient(config: pg.ClientConfig): Promise<pg.Client> {
    for (let tried = 1; ; tried++) {
      const client = new HostClient(config);
      client.on('error', (error) => log?.warn(reasonOf(error), 'database connection lost while creating the schema'));
      try {
        await client.connect();
        await acceptSession(client);
        return client;
      } catch (error) {
        await client.end().catch(() => undefined);
        if (tried >= hosts.urls.length) throw error;
      }
    }
  }
  const connection = {
    types,
    application_name,
    connectionTimeoutMillis: timeouts.connect_timeout_ms,
    statement_timeout: timeouts.statement_timeout_ms,
    lock_timeout: timeouts.lock_timeout_ms,
    idle_in_transaction_session_timeout: timeouts.idle_in_transaction_session_timeout_ms,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
  };
  if (schema) {
    const setup = await connectClient(connection);
    try {
      await setup.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await setup.end();
    }
  }
  const pool = new pg.Pool({
    ...connection, max: connections_max, Client: HostClient as unknown as new () => pg.ClientBase, onConnect: acceptSession,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle connection the server closed (a restart, pg_terminate_backend, a failover): pg-pool has already
  // dropped it, and the next request opens a new one. Without this listener the pool's 'error' kills the process.
  pool.on('error', (error) => log?.info(reasonOf(error), 'an idle database connection closed; a new one opens when needed'));
  // A connection lost while checked out fails its statement, which the caller hears about; this listener only
  // keeps the client's own 'error' event from crashing the process.
  pool.on('connect', (client) => client.on('error', (error) => log?.debug(reasonOf(error), 'a database connection in use was lost')));
  // While the database is away, callers are refused at once and the breaker alone tries it again.
  const breaker: CircuitBreaker = createCircuitBreaker({ ...(log ? { log } : {}), probe: probeDatabase });

  async function acquire({ probing = false } = {}): Promise<Session> {
    if (pool.ending) throw new DatabaseUnavailableError('The bank is shutting down');
    if (!probing) breaker.admit();
    // With several hosts a failed connect moves the cursor, and the next try goes to the next host, each at most once.
    for (let tried = 1; ; tried++) {
      try {
        return { client: await pool.connect(), broken: false, tail: Promise.resolve() };
      } catch (error) {
        if (/^timeout exceeded when trying to connect/.test(String((error as Error).message))) {
          // Every connection is busy: the database may be fine but overloaded, so this sheds load without declaring an outage.
          throw new DatabaseUnavailableError(`No database connection came free within ${timeouts.connect_timeout_ms} ms`, { cause: error });
        }
        if (tried < hosts.urls.length) continue;
        breaker.unreachable(error);
        throw new DatabaseUnavailableError('The database cannot be reached', { cause: error });
      }
    }
  }

  function release(session: Session, error?: unknown): void {
    if (session.broken) destroyConnection(session.client);
    session.client.release(session.broken ? (error instanceof Error ? error : new Error('connection broken')) : undefined);
  }

  /** Runs one statement with a client-side bound; a connection-level failure breaks the session and becomes DatabaseUnavailableError. */
  function statement(session: Session, sql: string, params: readonly unknown[], in_transaction: boolean, timeout_ms: number) {
    const sent = session.tail.then(async () => {
      if (session.broken) throw new DatabaseUnavailableError('The database connection was lost earlier in this transaction');
      const running = run(session.client, sql, params, in_transaction);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          session.broken = true;
          destroyConnection(session.client);
          const error = new DatabaseUnavailableError(`The database did not answer within ${timeout_ms} ms`);
          breaker.unreachable(error);
          reject(error);
        }, timeout_ms);
      });
      // Once the timeout has answered, the abandoned statement's own failure (the destroyed socket) is expected.
      running.catch(() => undefined);
      try {
        const result = await Promise.race([running, timeout]);
        breaker.reachable();
        return result;
      } catch (error) {
        const unavailable = asDatabaseUnavailable(error, 'The database connection was lost');
        if (!unavailable) throw error;
        // Dead, cut off, or cancelled by the server for time: either way not worth returning to the pool.
        session.broken = true;
        throw unavailable;
      } finally {
        clearTimeout(timer);
      }
    });
    session.tail = sent.catch(() => undefined);
    return sent;
  }

  const client_timeout_ms = (statement_timeout_ms: number) => statement_timeout_ms + timeouts.query_timeout_margin_ms;

  async function begin(): Promise<Session> {
    for (let attempt = 1; ; attempt++) {
      const session = await acquire();
      try {
        await statement(session, 'BEGIN', [], true, client_timeout_ms(timeouts.statement_timeout_ms));
        return session;
      } catch (error) {
        release(session, error);
        // BEGIN alone changes nothing, so a connection that died while idle in the pool is retried once on a new one.
        // A server that did not answer in time is not asked again: that would only double the wait.
        const retry = attempt < BEGIN_ATTEMPTS_MAX && error instanceof DatabaseUnavailableError && breaker.state().reachable;
        if (!retry) throw error;
      }
    }
  }

  /** The breaker's probe: one round trip on a pooled connection, with the usual bounds. */
  async function probeDatabase(): Promise<void> {
    await onPool(async (session) => void (await statement(session, 'SELECT 1', [], false, pool_timeout_ms)), { probing: true });
  }

  async function onPool<T>(work: (session: Session) => Promise<T>, options: { probing?: boolean } = {}): Promise<T> {
    const session = await acquire(options);
    try {
      const result = await work(session);
      release(session);
      return result;
    } catch (error) {
      release(session, error);
      throw error;
    }
  }

  const pool_timeout_ms = client_timeout_ms(timeouts.statement_timeout_ms);

  /** A transaction for COPY: bulk work runs long by nature, so it gets BULK_STATEMENT_TIMEOUT_MS. */
  async function beginBulk(): Promise<Session> {
    const session = await begin();
    try {
      await statement(session, `SET LOCAL statement_timeout = ${BULK_STATEMENT_TIMEOUT_MS}; SET LOCAL lock_timeout = ${BULK_STATEMENT_TIMEOUT_MS}`, [], true, pool_timeout_ms);
    } catch (error) {
      throw await abandon(session, error, 'The database connection was lost before a COPY');
    }
    return session;
  }

  /** Ends a failed transaction (rolled back, or its connection destroyed) and returns the error the caller should see. */
  async function abandon(session: Session, error: unknown, detail: string): Promise<unknown> {
    const unavailable = asDatabaseUnavailable(error, detail);
    if (unavailable) session.broken = true;
    else await statement(session, 'ROLLBACK', [], true, pool_timeout_ms).catch(() => (session.broken = true));
    release(session, error);
    return unavailable ?? error;
  }
  return {
    backend: 'postgres',
    query: async <Row>(sql: string, params: readonly unknown[] = []) =>
      onPool(async (session) => (await statement(session, sql, params, false, pool_timeout_ms)).rows as Row[]),
    exec: (script) => onPool(async (session) => void (await statement(session, script, [], false, pool_timeout_ms))),
    async transaction(work, transaction_options: TransactionOptions = {}) {
      const statement_timeout_ms = transaction_options.statement_timeout_ms ?? timeouts.statement_timeout_ms;
      const timeout_ms = client_timeout_ms(statement_timeout_ms);
      const session = await begin();
      const scoped: Queryable = {
        query: async (sql, params = []) => (await statement(session, sql, params, true, timeout_ms)).rows,
        exec: async (script) => void (await statement(session, script, [], true, timeout_ms)),
      };
      let result;
      try {
        if (transaction_options.statement_timeout_ms !== undefined) {
          const bound = Math.round(statement_timeout_ms);
          await scoped.exec(`SET LOCAL statement_timeout = ${bound}; SET LOCAL lock_timeout = ${bound}`);
        }
        result = await work(scoped);
      } catch (error) {
        if (!session.broken) await statement(session, 'ROLLBACK', [], true, pool_timeout_ms).catch(() => undefined);
        release(session, error);
        throw error;
      }
      try {
        await statement(session, 'COMMIT', [], true, timeout_ms);
      } catch (error) {
        release(session, error);
        if (!(error instanceof DatabaseUnavailableError)) throw error;
        // The COMMIT may have reached the server and been applied before its answer was lost: the outcome is
        // unknown, so the caller must not report success, and a retry with the same idempotency key finds out.
        throw new DatabaseUnavailableError('The database connection was lost during COMMIT: the outcome is unknown; retry with the same Idempotency-Key', { cause: error });
      }
      release(session);
      return result;
    },
    async copyFrom(table, columns, chunks) {
      const session = await beginBulk();
      try {
        await pipeline(Readable.from(chunks), session.client.query(copyFromStdin(copyStatement(table, columns))));
      } catch (error) {
        throw await abandon(session, error, 'The database connection was lost during a COPY; nothing was loaded');
      }
      try {
        await statement(session, 'COMMIT', [], true, client_timeout_ms(BULK_STATEMENT_TIMEOUT_MS));
      } catch (error) {
        release(session, error);
        if (!(error instanceof DatabaseUnavailableError)) throw error;
        throw new DatabaseUnavailableError('The database connection was lost during the COMMIT of a COPY: whether the rows were loaded is unknown', { cause: error });
      }
      release(session);
    },
    async *copyTo(query) {
      const session = await beginBulk();
      let outcome: 'read' | 'failed' | 'stopped' = 'stopped';
      try {
        const stream = session.client.query(copyToStdout(`COPY (${query}) TO STDOUT`));
        stream.setEncoding('utf8');
        for await (const piece of stream) yield piece as string;
        await statement(session, 'COMMIT', [], true, pool_timeout_ms);
        outcome = 'read';
      } catch (error) {
        outcome = 'failed';
        throw await abandon(session, error, 'The database connection was lost during a COPY');
      } finally {
        // A reader that stopped early leaves the COPY running on this connection: discard it rather than reuse it.
        if (outcome === 'stopped') session.broken = true;
        if (outcome !== 'failed') release(session);
      }
    },
    close() {
      breaker.close();
      return pool.end();
    },
  };
}
