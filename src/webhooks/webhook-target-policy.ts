/**
 * Which addresses the bank may POST a webhook to. An operator chooses the URL, so without this check the bank's
 * retries are a blind SSRF into its own network: cloud metadata (169.254.169.254), the database, admin ports.
 * The ranges come from ipaddr.js (IANA special-purpose registries); only its `unicast` class is public. The
 * check itself is ours because it is the bank's policy: anything not plainly public is refused.
 */
import ipaddr from 'ipaddr.js';

/** What the bank may send webhooks to. */
export interface WebhookTargetPolicy {
  /**
   * The demo and tests only: also loopback (127.0.0.0/8, ::1), over plain http too, for an operator on the same
   * machine. `furikae serve` never sets it.
   */
  allow_loopback: boolean;
}

/** Production: public https endpoints only. */
export const PUBLIC_TARGETS_ONLY: WebhookTargetPolicy = { allow_loopback: false };

/** IPv6 global unicast (RFC 4291 §2.4): everything outside 2000::/3 is reserved, local or special. */
const IPV6_GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

/** Why an address may not be a webhook target, or undefined when it may. Accepts IPv4 and IPv6 text, brackets allowed. */
export function addressRefusal(address: string, policy: WebhookTargetPolicy): string | undefined {
  const text = address.replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(text)) return `${address} is not an IP address`;
  const parsed = ipaddr.parse(text);
  // Every IPv4-in-IPv6 form (mapped ::ffff:a.b.c.d, translated, NAT64, 6to4, Teredo) has a range of its own,
  // so it is refused below without unwrapping: a public service is reachable over plain IPv4 or IPv6 anyway.
  const range = parsed.range();
  if (range === 'loopback' && policy.allow_loopback) return undefined;
  if (range !== 'unicast') return `${address} is in the ${range} range`;
  if (parsed.kind() === 'ipv6' && !(parsed as ipaddr.IPv6).match(IPV6_GLOBAL_UNICAST)) return `${address} is not a global unicast address`;
  return undefined;
}

/** True for 127.0.0.0/8 and ::1: what `allow_loopback` opens. */
export function isLoopbackAddress(address: string): boolean {
  const text = address.replace(/^\[(.*)\]$/, '$1');
  return ipaddr.isValid(text) && ipaddr.parse(text).range() === 'loopback';
}
