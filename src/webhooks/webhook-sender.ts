import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveWebhookTarget, systemResolver, type WebhookResolver, type WebhookTarget } from './webhook-target.ts';
import type { WebhookTargetPolicy } from './webhook-target-policy.ts';

/** One POST of a signed delivery. */
export interface WebhookPost {
  headers: Record<string, string>;
  body: string;
  timeout_ms: number;
}

/** What the operator's endpoint answered: its status, or (thrown) why nothing was sent or answered. */
export type WebhookSender = (url: string, post: WebhookPost) => Promise<{ status: number }>;

/** A lookup that answers the one address already checked, whatever is asked: the socket cannot go anywhere else. */
function pinnedLookup(target: WebhookTarget): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as LookupFunction;
}

/**
 * Sends webhooks with node's http(s), to public addresses only: the host is resolved and every address checked
 * just before the POST (webhook-target.ts), and the request's lookup is pinned to the checked address, so DNS
 * rebinding between check and connect changes nothing. TLS still verifies the certificate for the URL's host
 * name. Redirects are not followed (a 3xx is a failed delivery), so a redirect cannot lead inside either.
 */
export function createWebhookSender({ policy, resolve = systemResolver }: { policy: WebhookTargetPolicy; resolve?: WebhookResolver }): WebhookSender {
  return async (url, { headers, body, timeout_ms }) => {
    const signal = AbortSignal.timeout(timeout_ms);
    const target = await resolveWebhookTarget(url, policy, resolve);
    signal.throwIfAborted();
    const options: RequestOptions = {
      method: 'POST',
      host: target.url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: target.url.port || undefined,
      path: `${target.url.pathname}${target.url.search}`,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: pinnedLookup(target),
      signal,
      // No pooled socket from another delivery: each POST connects to its own checked address.
      agent: false,
    };
    return new Promise((resolvePost, reject) => {
      const request = (target.url.protocol === 'https:' ? httpsRequest : httpRequest)(options, (response) => {
        // The answer's body is not read: only the status counts, and an endpoint cannot make the bank hold it.
        response.destroy();
        resolvePost({ status: response.statusCode ?? 0 });
      });
      request.on('error', reject);
      request.end(body);
    });
  };
}
