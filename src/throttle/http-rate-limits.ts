/**
 * Coarse per-address request limits by @fastify/rate-limit, in front of the credential throttle. They stop one
 * address flooding the bank: a script posting passwords as fast as it can (each one costs 50 ms of scrypt, refused
 * or not), a runaway client loop, a scraper. They count per process in memory and forget; the credential throttle
 * (src/throttle/credential-throttle.ts) stays the precise, shared defence against guessing.
 *
 * An address is not a person: an operator's server sends all its users' requests from a few addresses, and mobile
 * carriers put thousands of customers behind one address (carrier-grade NAT). So each limit sits far above what
 * such an address sends in normal use and far below a flood.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FurikaeError } from '../errors/furikae-error.ts';

/** The window each limit counts over. */
export const RATE_LIMIT_WINDOW_MS = 60 * 1000;

/** Requests per address per window, by kind of route. */
export interface HttpRateLimits {
  /**
   * Posts that check a password, PIN or code, or send an SMS code: 60 a minute. One person logs in a few times a
   * minute at most; a carrier NAT's customers reach one bank's login at well under one a second; a script tries
   * hundreds. Past it the credential throttle would refuse them anyway (30 failures an hour per address), but
   * only after paying for each password hash.
   */
  credential_posts_per_window_max: number;
  /**
   * The operator API and the authorization server (/v1, /oidc): 60,000 a minute, 1,000 a second. A large wallet
   * peaks at tens to hundreds of charges a second towards one bank; one bank process answers about 3,000 charges a
   * second (README, Benchmarks), so one address may take a third of a process and no more.
   */
  api_per_window_max: number;
  /**
   * Every other page: 3,000 a minute, 50 a second. A staff office behind one address (fifty people, a page every
   * second or two, the live view reloading every 5 s) or a carrier NAT's customers stay well below.
   */
  pages_per_window_max: number;
}

export const HTTP_RATE_LIMITS: HttpRateLimits = {
  credential_posts_per_window_max: 60,
  api_per_window_max: 60_000,
  pages_per_window_max: 3_000,
};

/** The form posts that check a secret or send a code, by route: each counts towards `credential_posts_per_window_max`. */
export const CREDENTIAL_POST_ROUTES: ReadonlySet<string> = new Set([
  '/bank/login',
  '/staff/login',
  '/bank/approvals/:id/login',
  '/bank/approvals/:id/sms',
  '/bank/approvals/:id/approve',
  '/bank/security/totp/start',
  '/bank/security/totp/sms',
  '/bank/security/totp/confirm',
  '/interaction/:uid/login',
  '/interaction/:uid/sms',
  '/interaction/:uid/mfa',
  '/interaction/:uid/consent',
]);

/** Which limit a request counts towards. */
export function rateLimitGroup(request: FastifyRequest): keyof HttpRateLimits {
  const route = request.routeOptions.url ?? '';
  if (request.method === 'POST' && CREDENTIAL_POST_ROUTES.has(route)) return 'credential_posts_per_window_max';
  if (/^\/(v1|oidc)(\/|$)/.test(route)) return 'api_per_window_max';
  return 'pages_per_window_max';
}

/**
 * Puts every request to `app` under its group's limit for its address (IPv6 counted per /64). Past it: 429
 * too_many_requests as problem+json, with Retry-After.
 */
export async function registerHttpRateLimits(app: FastifyInstance, limits: HttpRateLimits = HTTP_RATE_LIMITS): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    errorResponseBuilder: (_request, context) =>
      new FurikaeError('too_many_requests', `Too many requests from this address: at most ${context.max} a minute here; retry in ${context.after}`),
  });
  // One limiter (and one count per address) per group, whichever route of the group is asked.
  const limiters = Object.fromEntries((Object.keys(limits) as (keyof HttpRateLimits)[]).map((group) =>
    [group, app.rateLimit({ max: limits[group], timeWindow: RATE_LIMIT_WINDOW_MS })])) as Record<keyof HttpRateLimits, ReturnType<FastifyInstance['rateLimit']>>;
  app.addHook('onRequest', async (request, reply) => limiters[rateLimitGroup(request)].call(app, request, reply));
}
