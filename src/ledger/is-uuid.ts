/**
 * Canonical lower-case UUID text, as PostgreSQL prints it. Ids are map keys throughout the engine,
 * so an upper-case spelling of a stored id would look like a different transfer.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a UUID in canonical lower-case form. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
