/**
 * The end user's address as an operator relays it (PSU-IP-Address). On the operator API the connecting address is
 * the operator's server, shared by all its users; the address the end user reached the operator from is what tells
 * one person from another, so the credential throttle and the risk rules count it instead.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Longest textual IP address: an IPv6 address with an embedded IPv4 tail (RFC 4291 §2.2) is 45 characters. */
export const END_USER_ADDRESS_CHARS_MAX = 45;
/**
 * IPv6 addresses are counted per /64: one subscriber line gets a whole /64 (RFC 6177), so counting single addresses
 * would give one person 2^64 fresh sources to spray from.
 */
export const END_USER_IPV6_PREFIX_BITS = 64;

/** A relayed address, normalised: as stored and shown (`address`), and the key the throttle counts by (`counting_key`). */
export interface EndUserAddress {
  address: string;
  counting_key: string;
}

/**
 * Parses a relayed address: a plain IPv4 (four decimal parts) or IPv6 address, no brackets, port or zone. An
 * IPv4-mapped IPv6 address is its IPv4 address. Undefined when it is not one.
 */
export function parseEndUserAddress(text: string): EndUserAddress | undefined {
  // A zone (fe80::1%eth0) names an interface of the operator's host, never a user's address.
  if (text.length === 0 || text.length > END_USER_ADDRESS_CHARS_MAX || text.includes('%') || isIP(text) === 0) return undefined;
  const parsed = ipaddr.process(text);
  if (parsed.kind() === 'ipv4') {
    const address = parsed.toString();
    return { address, counting_key: address };
  }
  const address = parsed.toString();
  const prefix = ipaddr.IPv6.networkAddressFromCIDR(`${address}/${END_USER_IPV6_PREFIX_BITS}`).toString();
  return { address, counting_key: `${prefix}/${END_USER_IPV6_PREFIX_BITS}` };
}
