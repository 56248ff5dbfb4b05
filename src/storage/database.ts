/** Something that runs SQL: the database itself or an open transaction. */
export interface Queryable {
  /** Runs one statement with `$n` parameters and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

/** How one transaction may differ from the request path's defaults. */
export interface TransactionOptions {
  /**
   * The longest any statement of this transaction may run or wait for a lock, for work known to be long
   * (migrations, scans); the request path keeps STATEMENT_TIMEOUT_MS. PostgreSQL only: PGlite runs in process.
   */
  statement_timeout_ms?: number;
}

/** One PostgreSQL dialect over two backends: embedded PGlite or a PostgreSQL server. */
export interface Database extends Queryable {
  readonly backend: 'pglite' | 'postgres';
  /**
   * Runs `work` in one transaction; commits if it resolves, rolls back if it throws. A lost connection, a hung
   * server or a COMMIT whose answer never came throws DatabaseUnavailableError: then nothing may be reported as
   * done, and the caller retries with the same idempotency key.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Bulk-loads rows with `COPY table (columns) FROM STDIN` in PostgreSQL's text format: each chunk holds whole
   * tab-separated lines. Both shipped backends have it (the history generator needs it); a wrapper may leave it out.
   */
  copyFrom?(table: string, columns: readonly string[], chunks: AsyncIterable<string> | Iterable<string>): Promise<void>;
  /**
   * Runs `COPY (query) TO STDOUT` in the text format and yields the output in pieces (not aligned on lines): for
   * reading millions of rows without building an object per row (the retrospective scan). The query has no
   * parameters, since COPY takes none.
   */
  copyTo?(query: string): AsyncIterable<string>;
  close(): Promise<void>;
}
