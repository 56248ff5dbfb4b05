/**
 * The reference wallet's device ids: a random id it keeps per browser in a cookie and relays to the bank as
 * X-Device-Id (with the browser's address as PSU-IP-Address), so the bank's device rules and credential throttle see
 * each of its users as one device rather than the wallet's server as one user. Random, never derived from the user,
 * the session or a secret: it says "the same browser as before" and nothing else, and it outlives sign-outs, as a
 * device does.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { assert } from '../shared/assert.ts';

/** A cookie lives at most 400 days in today's browsers (RFC 6265bis §5.6.1); the id is refreshed at each visit within it. */
export const DEVICE_COOKIE_SECONDS_MAX = 400 * 24 * 60 * 60;
/** 128 random bits: no two browsers share an id, and nobody guesses another's. */
const DEVICE_ID_RANDOM_BYTES = 16;
/** `wd_` and 22 base64url characters: within the bank's X-Device-Id alphabet, and nothing else is accepted back. */
const DEVICE_ID = /^wd_[A-Za-z0-9_-]{22}$/;

/** Who is behind a wallet request, as the wallet tells the bank. */
export interface WalletEndUser {
  /** The browser's address as the wallet sees it (behind a proxy, the wallet's trustProxy decides). */
  ip: string;
  device_id: string;
}

/** Device ids for one wallet app, in a cookie of its own name (two wallets on one demo host need two). */
export function createWalletDevices({ cookie_name, secure_cookies }: { cookie_name: string; secure_cookies: boolean }) {
  const devices = new WeakMap<FastifyRequest, string>();
  return {
    /** Gives every request in `pages` (which has @fastify/cookie) its browser's device id, minting one for a new browser. */
    register(pages: FastifyInstance): void {
      pages.addHook('onRequest', async (request, reply) => {
        const kept = request.cookies[cookie_name];
        const device_id = kept !== undefined && DEVICE_ID.test(kept) ? kept : `wd_${randomBytes(DEVICE_ID_RANDOM_BYTES).toString('base64url')}`;
        devices.set(request, device_id);
        reply.setCookie(cookie_name, device_id, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure_cookies, maxAge: DEVICE_COOKIE_SECONDS_MAX });
      });
    },

    /** The end user behind a request of `pages`. */
    endUserOf(request: FastifyRequest): WalletEndUser {
      const device_id = devices.get(request);
      assert(device_id !== undefined, 'a wallet page request has its device id');
      return { ip: request.ip, device_id };
    },
  };
}

export type WalletDevices = ReturnType<typeof createWalletDevices>;
