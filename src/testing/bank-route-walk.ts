/**
 * The bank's side of the route walk (src/testing/route-walk.ts): who walks it, signed in everywhere at once, and how
 * its errors may be answered. The bank is walked in parts (its API, its customer pages, two halves of its staff
 * console), one test file each, so each stays within a test file's time on a loaded machine.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OIDC_PATH } from '../authorization/mount-provider.ts';
import { BANK_API_PATHS } from '../web/error-page.ts';
import { createBankFixture, legacyLink, type BankFixture } from './bank-fixture.ts';
import { walkRoutes, type RouteWalkOptions, type WalkIdentity } from './route-walk.ts';
import type { RegisteredRoute } from '../http/route-methods.ts';
import { testBackends } from './test-databases.ts';
import { customerSession, formToken, staffSession } from './staff-session.ts';

/** A customer, a staff member and an operator at once, plus a link credential on the charge routes and a bare browser. */
export async function bankWalkIdentities(fixture: BankFixture): Promise<WalkIdentity[]> {
  const customer = await customerSession(fixture, fixture.customer.id);
  const staff = await staffSession(fixture, 'admin');
  const { link_token } = (await legacyLink(fixture)).body;
  // One form token for a browser holding both sessions (it is bound to the first session cookie sent, the staff one,
  // on every page), so malformed input gets past the login and form-token checks into each handler.
  const { csrf, cookies } = await formToken(fixture, '/staff/login', { ...customer.cookies, ...staff.cookies });
  return [
    { name: 'operator, customer and staff', headers: { authorization: fixture.operator.basic }, cookies, fields: { csrf }, depth: 'full' },
    {
      name: 'link credential', headers: { authorization: `Bearer ${link_token}`, 'idempotency-key': 'walk' }, cookies: {}, fields: {}, depth: 'full',
      applies: (route) => route.url.startsWith('/v1/charges') && route.method === 'POST',
    },
    { name: 'browser', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, cookies: {}, fields: {}, depth: 'surface' },
  ];
}

/** How the bank may answer errors: problem+json on its API paths; OAuth's JSON or its error page under /oidc. */
export const BANK_WALK_OPTIONS: Omit<RouteWalkOptions, 'identities'> = {
  api_paths: BANK_API_PATHS,
  // oidc-provider answers its endpoints' errors in OAuth's own JSON (RFC 6749 §5.2), which clients expect there,
  // and its front channel's with its error page.
  oauth_paths: new RegExp(`^${OIDC_PATH}(?:/|$)`),
  wildcard_values: ['token', 'request', 'auth', 'jwks', '.well-known/openid-configuration', 'nothing/here'],
};

/** The bank's path prefixes of the staff console's heaviest pages (charts, scans), walked apart from the rest. */
export const STAFF_HEAVY_PATHS = /^\/staff\/(?:scans|incidents|compensations|campaigns|lab)(?:\/|$)/;

/**
 * One part of the bank's walk as a suite: every route `routes` selects, fed malformed input, must answer no 500 and
 * no error outside problem+json, OAuth's format under /oidc or, to a browser on a page, the bank's error page.
 * The walk is about the HTTP layer, so it runs on PGlite alone; what PostgreSQL and PGlite each refuse is checked on
 * both by src/http/storable-text.test.ts.
 */
export function describeBankWalk(part: string, routes: (route: RegisteredRoute) => boolean, routes_min: number, extra?: (fixture: () => BankFixture) => void): void {
  for (const backend of testBackends.filter((candidate) => candidate.name === 'pglite')) {
    describe(`every ${part} route the bank registers, fed malformed input, on ${backend.name}`, { skip: backend.skip }, () => {
      let fixture: BankFixture;
      let identities: WalkIdentity[];
      before(async () => {
        fixture = await createBankFixture(backend);
        identities = await bankWalkIdentities(fixture);
      });
      after(() => fixture?.close());
      extra?.(() => fixture);

      test('no answer is a 500, and every error is problem+json, OAuth\'s under /oidc, or the bank\'s page to a browser', async (t) => {
        const result = await walkRoutes(fixture.bank.app, { ...BANK_WALK_OPTIONS, identities, routes });
        t.diagnostic(`${result.requests} requests over ${result.routes} routes`);
        assert.ok(result.routes >= routes_min, `walked ${result.routes} routes`);
        assert.deepEqual(result.failures.slice(0, 40), [], `${result.failures.length} of ${result.requests} requests answered badly`);
      });
    });
  }
}
