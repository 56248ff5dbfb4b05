import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { customerSession, staffSession } from '../testing/staff-session.ts';
import { unboundedInputs, walkRoutes, type WalkIdentity } from '../testing/route-walk.ts';
import { BANK_API_PATHS } from '../web/error-page.ts';
import { OIDC_PATH } from '../authorization/mount-provider.ts';

// The walk is about the HTTP layer; what PostgreSQL and PGlite each refuse is checked on both by storable-text.test.ts.
// One backend keeps its several thousand requests to a minute.
for (const backend of testBackends.filter((candidate) => candidate.name === 'pglite')) {
  describe(`every route the bank registers, fed malformed input, on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let identities: WalkIdentity[];

    before(async () => {
      fixture = await createBankFixture(backend);
      const customer = await customerSession(fixture, fixture.customer.id);
      const staff = await staffSession(fixture, 'admin');
      const { link_token } = (await legacyLink(fixture)).body;
      // Signed in everywhere at once, with one CSRF token for both sessions, so malformed input gets past the login
      // and CSRF checks into each handler.
      const csrf = customer.csrf;
      await fixture.db.query(`UPDATE web_sessions SET csrf_token = $1`, [csrf]);
      const cookies = { ...customer.cookies, ...staff.cookies };
      identities = [
        { name: 'operator, customer and staff', headers: { authorization: fixture.operator.basic }, cookies, fields: { csrf }, depth: 'full' },
        {
          name: 'link credential', headers: { authorization: `Bearer ${link_token}`, 'idempotency-key': 'walk' }, cookies: {}, fields: {}, depth: 'full',
          applies: (route) => route.url.startsWith('/v1/charges') && route.method === 'POST',
        },
        { name: 'browser', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, cookies: {}, fields: {}, depth: 'surface' },
      ];
    });
    after(() => fixture?.close());

    test('every string a route takes has a greatest length and every number both bounds', () => {
      assert.deepEqual(unboundedInputs(fixture.bank.app.routeMethods.list()), []);
    });

    test('no answer is a 500, and every error is problem+json (a page route may answer a browser with an HTML page)', async (t) => {
      const result = await walkRoutes(fixture.bank.app, {
        identities,
        api_paths: BANK_API_PATHS,
        // oidc-provider answers its endpoints' errors in OAuth's own JSON (RFC 6749 §5.2), which clients expect there,
        // and its front channel's with its error page.
        oauth_paths: new RegExp(`^${OIDC_PATH}(?:/|$)`),
        wildcard_values: ['token', 'request', 'auth', 'jwks', '.well-known/openid-configuration', 'nothing/here'],
      });
      t.diagnostic(`${result.requests} requests over ${result.routes} routes`);
      assert.ok(result.routes > 50, `walked ${result.routes} routes`);
      assert.deepEqual(result.failures.slice(0, 40), [], `${result.failures.length} of ${result.requests} requests answered badly`);
    });
  });
}
