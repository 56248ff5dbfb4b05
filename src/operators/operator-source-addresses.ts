import { createHash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

/** Entries an operator may register: its servers' addresses or blocks, not a country's worth of them. */
export const SOURCE_ADDRESSES_MAX = 32;
/** The widest block an operator may register: an IPv4 /16 (65,536 addresses), an IPv6 /48 (one site). */
const PREFIX_MIN = { 4: 16, 6: 48 } as const;

/** One registered entry parsed: an address, or a CIDR block. */
function parseEntry(entry: string): { family: 4 | 6; address: string; prefix: number } | string {
  const [address = '', prefixText, ...rest] = entry.trim().split('/');
  const family = isIP(address);
  if (rest.length > 0 || (family !== 4 && family !== 6)) return `${JSON.stringify(entry)} is not an IP address or CIDR block`;
  const prefix = prefixText === undefined ? (family === 4 ? 32 : 128) : Number(prefixText);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText ?? String(max)) || !Number.isInteger(prefix) || prefix > max) return `${JSON.stringify(entry)} has no valid prefix length`;
  if (prefix < PREFIX_MIN[family]) return `${JSON.stringify(entry)} is wider than /${PREFIX_MIN[family]}`;
  return { family, address, prefix };
}

/** Problems with a list of source addresses to register (empty when fine). */
export function sourceAddressProblems(entries: readonly string[]): string[] {
  if (entries.length > SOURCE_ADDRESSES_MAX) return [`at most ${SOURCE_ADDRESSES_MAX} entries`];
  return entries.map(parseEntry).filter((parsed): parsed is string => typeof parsed === 'string');
}

/**
 * Whether a request from `source_ip` comes from what the operator registered. An operator that registered nothing
 * is not bound (every address passes); an IPv4-mapped IPv6 source (`::ffff:203.0.113.7`) is read as its IPv4 address.
 */
export function sourceAddressAllowed(registered: readonly string[], source_ip: string): boolean {
  if (registered.length === 0) return true;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(source_ip);
  const ip = mapped ? mapped[1]! : source_ip;
  const family = isIP(ip);
  if (family !== 4 && family !== 6) return false;
  const list = new BlockList();
  for (const entry of registered) {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') continue; // refused at registration; an unreadable entry admits nothing
    list.addSubnet(parsed.address, parsed.prefix, parsed.family === 4 ? 'ipv4' : 'ipv6');
  }
  return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** One alert per operator, address and hour: a stolen key used from elsewhere is one growing incident, not a flood. */
const SOURCE_ALERT_PERIOD_MS = 60 * 60 * 1000;

/** A stable alert id (UUID-shaped) for one operator, address and hour, so repeats keep the first alert. */
export function sourceRefusalAlertId(operator_id: string, source_ip: string, now: Date): string {
  const hex = createHash('sha256').update(`operator_source_refused\u0000${operator_id}\u0000${source_ip}\u0000${Math.floor(now.getTime() / SOURCE_ALERT_PERIOD_MS)}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
