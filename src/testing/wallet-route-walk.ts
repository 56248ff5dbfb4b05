import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from './test-databases.ts';
import { unboundedInputs, walkRoutes, type WalkIdentity } from './route-walk.ts';
import { formValue, openTestWallet, type TestWallet } from '../wallet/open-test-wallet.ts';
import { SESSION_COOKIE } from '../wallet/routes/page-kit.ts';

const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

/**
 * One wallet's route walk as a suite, one mode per test file so each stays within a file's time on a loaded machine.
 * The walk is about the HTTP layer; what PostgreSQL and PGlite each refuse is checked on both by storable-text.test.ts.
 */
export function describeWalletWalk(mode: 'legacy_2020' | 'hardened'): void {
  for (const backend of testBackends.filter((candidate) => candidate.name === 'pglite')) {
    describe(`every route the ${mode} wallet registers, fed malformed input, on ${backend.name}`, { skip: backend.skip }, () => {
      let wallet: TestWallet;
      let identities: WalkIdentity[];

      before(async () => {
        wallet = await openTestWallet(backend, mode === 'hardened' ? { hardened: { public_url: 'http://wallet.test' } } : {});
        const browser = wallet.browser();
        // A signed-in user where the mode allows signing up without a phone; otherwise a visitor's session.
        if (mode === 'legacy_2020') assert.equal((await browser.signUp('山田 花子', 'walk@example.jp')).statusCode, 303);
        const page = await browser.get(mode === 'legacy_2020' ? '/charge' : '/login');
        const csrf_token = formValue(page.body, 'csrf_token');
        assert.ok(csrf_token, 'the form carries its CSRF token');
        const cookies = Object.fromEntries(browser.cookies);
        // The 2020 walk is signed in; a hardened visitor has no session yet (a login form starts none), only its cookies.
        if (mode === 'legacy_2020') assert.ok(cookies[SESSION_COOKIE], 'the walk carries the wallet session');
        identities = [
          { name: 'session', headers: BROWSER, cookies, fields: { csrf_token }, depth: 'full' },
          { name: 'script', headers: {}, cookies: {}, fields: {}, depth: 'surface' },
        ];
      });
      after(() => wallet?.closeAll());

      test('every string a route takes has a greatest length and every number both bounds', () => {
        assert.deepEqual(unboundedInputs(wallet.app.routeMethods.list()), []);
      });

      test('no answer is a 500, and every error is an HTML page for a browser or problem+json', async (t) => {
        const result = await walkRoutes(wallet.app, {
          identities,
          // The wallet has no API of its own: every route is a page.
          api_paths: /(?!)/,
        });
        t.diagnostic(`${result.requests} requests over ${result.routes} routes`);
        assert.ok(result.routes > 10, `walked ${result.routes} routes`);
        assert.deepEqual(result.failures.slice(0, 40), [], `${result.failures.length} of ${result.requests} requests answered badly`);
      });

    });
  }
}
