/** One field in PostgreSQL's COPY text format: `\N` for null, and backslash, tab and line breaks escaped. */
export function copyField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value !== 'string') return String(value);
  return /[\\\t\n\r]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : value;
}

/** One line of COPY text. */
export function copyLine(fields: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return `${fields.map(copyField).join('\t')}\n`;
}

/** A timestamp as COPY reads it. */
export function copyTime(at_ms: number): string {
  return new Date(at_ms).toISOString();
}

/** A text[] literal for COPY: {a,b}; elements are plain snake_case codes here, so nothing needs quoting. */
export function copyTextArray(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}
