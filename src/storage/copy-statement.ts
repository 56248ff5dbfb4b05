const SQL_NAME = /^[a-z_][a-z0-9_]*$/;

/** `COPY table (columns) FROM STDIN`, for names checked to be plain identifiers (they are spliced into the SQL). */
export function copyStatement(table: string, columns: readonly string[]): string {
  for (const name of [table, ...columns]) if (!SQL_NAME.test(name)) throw new Error(`not a plain SQL name: ${name}`);
  return `COPY ${table} (${columns.join(', ')}) FROM STDIN`;
}
