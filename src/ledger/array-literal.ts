/**
 * PostgreSQL array literals for set-based statements, built by joining values that are already known to be
 * safe: canonical UUIDs (checked by isUuid), safe integers, ISO timestamps and fixed state words.
 * node-postgres escapes each element of a JS array one by one; for a batch of 8,190 transfers across nine
 * columns that costs more than the statement itself. The literal is still sent as a parameter (`$1::text`),
 * never spliced into SQL, so the text is data whatever it holds.
 */
import { assert } from '../shared/assert.ts';

/** A `{…}` literal of UUIDs or NULLs, for `$n::text::uuid[]`. */
export function uuidArrayLiteral(values: readonly (string | null)[]): string {
  return `{${values.map((value) => value ?? 'NULL').join(',')}}`;
}

/** A `{…}` literal of integers, for `$n::text::int8[]` or `::int4[]`. */
export function integerArrayLiteral(values: readonly number[]): string {
  for (const value of values) assert(Number.isSafeInteger(value), `${value} is not a safe integer`);
  return `{${values.join(',')}}`;
}

/** A `{…}` literal of timestamps or NULLs, for `$n::text::timestamptz[]`. */
export function timestampArrayLiteral(values: readonly (Date | null)[]): string {
  return `{${values.map((value) => (value === null ? 'NULL' : value.toISOString())).join(',')}}`;
}

/** A `{…}` literal of lower-case words (state names), for `$n::text::text[]`. */
export function wordArrayLiteral(values: readonly string[]): string {
  for (const value of values) assert(/^[a-z_]+$/.test(value), `${value} is not a plain word`);
  return `{${values.join(',')}}`;
}
