/**
 * The bank's side of the route walk (src/testing/route-walk.ts): who walks it, signed in everywhere at once, and how
 * its errors may be answered. The bank is walked in two parts, its API and its pages, one test file each, so each
 * stays within a test file's time on a loaded machine.
 */
import { OIDC_PATH } from '../authorization/mount-provider.ts';
import { BANK_API_PATHS } from '../web/error-page.ts';
import { legacyLink, type BankFixture } from './bank-fixture.ts';
import type { RouteWalkOptions, WalkIdentity } from './route-walk.ts';
import { customerSession, staffSession } from './staff-session.ts';

/** A customer, a staff member and an operator at once, plus a link credential on the charge routes and a bare browser. */
export async function bankWalkIdentities(fixture: BankFixture): Promise<WalkIdentity[]> {
  const customer = await customerSession(fixture, fixture.customer.id);
  const staff = await staffSession(fixture, 'admin');
  const { link_token } = (await legacyLink(fixture)).body;
  // One CSRF token for both sessions, so malformed input gets past the login and CSRF checks into each handler.
  const csrf = customer.csrf;
  await fixture.db.query(`UPDATE web_sessions SET csrf_token = $1`, [csrf]);
  const cookies = { ...customer.cookies, ...staff.cookies };
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
