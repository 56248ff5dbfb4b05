import pg from 'pg';
import type { Database, Queryable } from './database.ts';
import { INT8_OID, parseInt8 } from './int8.ts';

export interface PostgresOptions {
  url: string;
  /** Schema to use as search_path, created if missing: lets the wallet keep its tables apart. */
  schema?: string;
  /** Pool size: the batching writer needs one connection, readers the rest. */
  connections_max?: number;
}

const types = {
  getTypeParser: (oid: number, format?: string) =>
    oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format as 'text'),
};

/** Connects to a PostgreSQL server through a pool. */
export async function createPostgresDatabase(options: PostgresOptions): Promise<Database> {
  const { url, schema, connections_max = 10 } = options;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  if (schema) {
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    try {
      await setup.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await setup.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: connections_max,
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const query = async <Row>(sql: string, params: readonly unknown[] = []) =>
    (await pool.query(sql, params as unknown[])).rows as Row[];
  return {
    backend: 'postgres',
    query,
    exec: async (script) => void (await pool.query(script)),
    async transaction(work) {
      const client = await pool.connect();
      const scoped: Queryable = {
        query: async (sql, params = []) => (await client.query(sql, params as unknown[])).rows,
        exec: async (script) => void (await client.query(script)),
      };
      try {
        await client.query('BEGIN');
        const result = await work(scoped);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
