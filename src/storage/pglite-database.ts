import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.ts';
import { INT8_OID, parseInt8 } from './int8.ts';
import { copyStatement } from './copy-statement.ts';
import { DurableNodeFS, PGLITE_DURABLE_START_PARAMS, syncTree } from './pglite-durability.ts';

export interface PgliteOptions {
  /**
   * Sync the WAL to disk before each COMMIT answers (see pglite-durability.ts); default true for a data folder.
   * False only for the benchmark's same-run comparison: an un-synced folder can lose acknowledged work in a power cut.
   */
  sync_on_commit?: boolean;
  /** The host's fsync(2); tests pass one that records its calls. */
  fsync?: (fd: number) => void;
}

/**
 * Opens embedded PGlite; `dataDir` undefined means in memory. One in-process connection: no second process can
 * share it and it has no standby, so it serves the demo, the lab and tests; a bank's system of record is PostgreSQL.
 */
export async function createPgliteDatabase(dataDir?: string, options: PgliteOptions = {}): Promise<Database> {
  const durable = dataDir !== undefined && options.sync_on_commit !== false;
  const fresh = dataDir !== undefined && !existsSync(join(dataDir, 'PG_VERSION'));
  const pg = durable
    ? await PGlite.create({ fs: new DurableNodeFS(dataDir, options.fsync), startParams: PGLITE_DURABLE_START_PARAMS, parsers: { [INT8_OID]: parseInt8 } })
    : await PGlite.create({ dataDir, parsers: { [INT8_OID]: parseInt8 } });
  if (durable && fresh) syncTree(dataDir, options.fsync);
  const query = async <Row>(sql: string, params: readonly unknown[] = []) =>
    (await pg.query<Row>(sql, params as unknown[])).rows;
  return {
    backend: 'pglite',
    query,
    exec: async (script) => void (await pg.exec(script)),
    // Transaction options bound waits on a server; PGlite runs in this process, one statement at a time.
    transaction: (work) =>
      pg.transaction((tx) => {
        const scoped: Queryable = {
          query: async (sql, params = []) => (await tx.query(sql, params as unknown[])).rows as never,
          exec: async (script) => void (await tx.exec(script)),
        };
        return work(scoped);
      }),
    async copyFrom(table, columns, chunks) {
      // PGlite reads COPY input from a Blob named /dev/blob; the parts are joined without copying them first.
      const parts: string[] = [];
      for await (const chunk of chunks) parts.push(chunk);
      await pg.query(copyStatement(table, columns).replace('STDIN', `'/dev/blob'`), [], { blob: new Blob(parts) });
    },
    async *copyTo(query) {
      const result = await pg.query(`COPY (${query}) TO '/dev/blob'`);
      if (result.blob) yield await result.blob.text();
    },
    close: () => pg.close(),
  };
}
