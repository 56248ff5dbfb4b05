import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.ts';
import { INT8_OID, parseInt8 } from './int8.ts';
import { copyStatement } from './copy-statement.ts';

/** Opens embedded PGlite; `dataDir` undefined means in memory. */
export async function createPgliteDatabase(dataDir?: string): Promise<Database> {
  const pg = await PGlite.create({ dataDir, parsers: { [INT8_OID]: parseInt8 } });
  const query = async <Row>(sql: string, params: readonly unknown[] = []) =>
    (await pg.query<Row>(sql, params as unknown[])).rows;
  return {
    backend: 'pglite',
    query,
    exec: async (script) => void (await pg.exec(script)),
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
