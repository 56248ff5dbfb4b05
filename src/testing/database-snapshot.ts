/**
 * Every row of every table in the database's schema, read from the catalogue: what "nothing written" is checked
 * against. A table added by any migration is covered the day it is added, with no list to keep in step.
 */
import type { Queryable } from '../storage/database.ts';

/** Each table's rows as JSON text, keyed by the row's primary key (by the whole row where a table has none). */
export interface DatabaseSnapshot {
  readonly tables: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** What one table gained, lost and changed between two snapshots (rows as JSON text). */
export interface TableChange {
  table: string;
  added: string[];
  removed: string[];
  changed: { before: string; after: string }[];
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/** Reads every row of every ordinary or partitioned table in the current schema. */
export async function snapshotDatabase(db: Queryable): Promise<DatabaseSnapshot> {
  const catalogue = await db.query<{ table_name: string; key_columns: string[] | null }>(
    `SELECT c.relname::text AS table_name,
            (SELECT array_agg(a.attname::text ORDER BY k.position)
               FROM pg_index i
              CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              WHERE i.indrelid = c.oid AND i.indisprimary) AS key_columns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      ORDER BY c.relname`,
  );
  const tables: Record<string, Record<string, string>> = {};
  for (const { table_name, key_columns } of catalogue) {
    const key = key_columns?.length ? `jsonb_build_array(${key_columns.map((column) => `t.${quote(column)}`).join(', ')})::text` : `to_jsonb(t)::text`;
    const rows = await db.query<{ key: string; row: string }>(`SELECT ${key} AS key, to_jsonb(t)::text AS row FROM ${quote(table_name)} t`);
    const byKey: Record<string, string> = {};
    for (const { key: rowKey, row } of rows) {
      // Without a primary key, equal rows are told apart by how many came before them.
      let unique = rowKey;
      for (let copy = 2; unique in byKey; copy++) unique = `${rowKey}#${copy}`;
      byKey[unique] = row;
    }
    tables[table_name] = byKey;
  }
  return { tables };
}

/** The tables whose rows differ between two snapshots, and how. */
export function diffSnapshots(before: DatabaseSnapshot, after: DatabaseSnapshot): TableChange[] {
  const names = [...new Set([...Object.keys(before.tables), ...Object.keys(after.tables)])].sort();
  const changes: TableChange[] = [];
  for (const table of names) {
    const old = before.tables[table] ?? {};
    const now = after.tables[table] ?? {};
    const change: TableChange = { table, added: [], removed: [], changed: [] };
    for (const [key, row] of Object.entries(now)) {
      const was = old[key];
      if (was === undefined) change.added.push(row);
      else if (was !== row) change.changed.push({ before: was, after: row });
    }
    for (const [key, row] of Object.entries(old)) if (!(key in now)) change.removed.push(row);
    if (change.added.length + change.removed.length + change.changed.length > 0) changes.push(change);
  }
  return changes;
}
