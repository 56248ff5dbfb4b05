/**
 * UUIDv7 ids for generated history, stamped with the historical time so they sort as a live bank's would, and
 * unique by construction: the 62 low bits hold who made it (a customer's number, or a reserved one) and a counter.
 */
export function historyId(at_ms: number, owner: number, counter: number): string {
  const time = Math.max(0, Math.floor(at_ms)).toString(16).padStart(12, '0').slice(-12);
  // 12 bits after the version: the counter's high bits; 62 bits after the variant: owner (30 bits) and counter (32 bits).
  const high = ((counter >>> 20) & 0xfff).toString(16).padStart(3, '0');
  const ownerBits = (owner & 0x0fffffff).toString(16).padStart(7, '0');
  const variant = (0x8 | ((owner >>> 28) & 0x3)).toString(16);
  const low = (counter >>> 0).toString(16).padStart(8, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${high}-${variant}${ownerBits.slice(0, 3)}-${ownerBits.slice(3)}${low}`;
}
