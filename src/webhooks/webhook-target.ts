import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { FurikaeError } from '../errors/furikae-error.ts';
import { addressRefusal, isLoopbackAddress, type WebhookTargetPolicy } from './webhook-target-policy.ts';

/** Longest webhook URL accepted: room for any real endpoint with a path and query. */
export const WEBHOOK_URL_CHARS_MAX = 2000;
/** How long resolving a webhook's host may take: part of the same budget as the POST, never a hung dispatcher. */
export const WEBHOOK_RESOLVE_TIMEOUT_MS = 3_000;

/** One address a name resolves to, as node's dns.lookup gives it. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has; node's dns.lookup (the system resolver) unless a test gives another. */
export type WebhookResolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system resolver: what the operating system would connect to. */
export const systemResolver: WebhookResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** A webhook URL that passed every check, and the one address the POST must connect to. */
export interface WebhookTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

const refuse = (detail: string): never => {
  throw new FurikaeError('webhook_url_invalid', detail);
};

/**
 * Checks the URL alone: https (plain http only where the policy allows loopback, and then only to loopback), no
 * credentials or fragment, bounded length, and a literal IP host must itself be allowed. The addresses a name
 * resolves to are checked by resolveWebhookTarget. The WHATWG parser has already turned 0x7f.1, 2130706433 and
 * 127.1 into 127.0.0.1, so every spelling of an address is checked as that address.
 */
function checkWebhookUrl(url: string, policy: WebhookTargetPolicy): URL {
  if (url.length > WEBHOOK_URL_CHARS_MAX) refuse(`The webhook URL is longer than ${WEBHOOK_URL_CHARS_MAX} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse('The webhook URL is not a URL');
  }
  if (parsed.username || parsed.password || parsed.hash) refuse('The webhook URL must carry no user name, password or fragment');
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const http = parsed.protocol === 'http:' && policy.allow_loopback;
  if (parsed.protocol !== 'https:' && !http) refuse('The webhook URL must be https');
  if (isIP(host)) {
    const refusal = addressRefusal(host, policy);
    if (refusal) refuse(`The webhook URL's host ${refusal}; it must be a public address`);
    if (http && !isLoopbackAddress(host)) refuse('The webhook URL must be https (plain http only to loopback)');
  }
  return parsed;
}

/**
 * Checks the URL, resolves its host and checks every address it resolves to, at registration and again before
 * each POST. A name with any refused address is refused whole (a rebinding name mixes public and private
 * answers). The POST then connects to the returned address and no other (see webhook-sender.ts), so a second,
 * different answer from DNS can never be what the bank connects to.
 */
export async function resolveWebhookTarget(url: string, policy: WebhookTargetPolicy, resolve: WebhookResolver): Promise<WebhookTarget> {
  const parsed = checkWebhookUrl(url, policy);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = isIP(host);
  if (literal) return { url: parsed, address: host, family: literal as 4 | 6 };
  let addresses: ResolvedAddress[];
  try {
    addresses = await withTimeout(resolve(host), WEBHOOK_RESOLVE_TIMEOUT_MS);
  } catch (error) {
    return refuse(`The webhook host ${host} does not resolve (${error instanceof Error ? error.message : String(error)})`);
  }
  if (addresses.length === 0) refuse(`The webhook host ${host} has no address`);
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, policy);
    if (refusal) refuse(`The webhook host ${host} resolves to ${refusal}; it must resolve to public addresses only`);
    if (parsed.protocol === 'http:' && !isLoopbackAddress(address)) refuse(`The webhook host ${host} is not loopback, so the URL must be https`);
  }
  const [first] = addresses;
  return { url: parsed, address: first!.address, family: first!.family === 6 ? 6 : 4 };
}

function withTimeout<T>(work: Promise<T>, timeout_ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeout_ms} ms`)), timeout_ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
