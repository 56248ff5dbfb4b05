/**
 * Parses a PostgreSQL int8 (bigint) into a JS number.
 * Money is stored as bigint yen; anything beyond 2^53 would lose precision silently, so it throws.
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`int8 value ${text} is outside the safe integer range`);
  return value;
}

/** PostgreSQL type oid of int8. */
export const INT8_OID = 20;
