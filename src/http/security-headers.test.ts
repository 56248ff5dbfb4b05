import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { customerSession, staffSession } from '../testing/staff-session.ts';
import { openTestWallet, type TestWallet } from '../wallet/open-test-wallet.ts';
import { hardenedTestSteps } from '../wallet/hardened-test-steps.ts';
import { registeredRoutes } from './security-headers.ts';

/** Paths under the apps' wildcard routes worth asking for: the authorization server's endpoints and pages, Swagger UI's files. */
const WILDCARD_SAMPLES: Record<string, string[]> = {
  '/oidc/*': ['.well-known/openid-configuration', 'jwks', 'auth', 'auth?client_id=unknown&response_type=code', 'request', 'token', 'token/revocation', 'me', 'session/end'],
  '/docs/*': ['static/index.css', 'static/swagger-ui-bundle.js', 'json', 'nothing-here'],
};

/** Every URL to ask for a route: its parameters filled with a well-formed id, wildcards with the samples above. */
function urlsFor(pattern: string): string[] {
  const filled = pattern.replace(/:[a-z_]+/gi, randomUUID());
  if (!filled.includes('*')) return [filled];
  const samples = WILDCARD_SAMPLES[pattern] ?? ['x'];
  return samples.map((sample) => filled.replace('*', sample));
}

interface Visitor {
  name: string;
  cookie?: string;
}

/** What every response must carry, and what an HTML page must carry and must not contain. */
function checkHeaders(where: string, response: LightMyRequestResponse) {
  const headers = response.headers;
  assert.equal(headers['x-content-type-options'], 'nosniff', `${where}: nosniff`);
  assert.equal(headers['x-frame-options'], 'DENY', `${where}: X-Frame-Options`);
  assert.ok(headers['referrer-policy'], `${where}: Referrer-Policy`);
  const csp = String(headers['content-security-policy'] ?? '');
  assert.match(csp, /(^|;)\s*frame-ancestors 'none'/, `${where}: frame-ancestors 'none' in ${csp}`);
  const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
  const scripts = directives.get('script-src') ?? directives.get('default-src') ?? [];
  assert.ok(scripts.length > 0 && !scripts.includes("'unsafe-inline'") && !scripts.includes("'unsafe-eval'"), `${where}: scripts restricted in ${csp}`);
  assert.ok(!(directives.get('style-src') ?? []).includes("'unsafe-inline'"), `${where}: no inline styles in ${csp}`);
  const type = String(headers['content-type'] ?? '');
  if (type.startsWith('text/html')) {
    assert.match(String(headers['cache-control']), /no-store/, `${where}: a page is never cached`);
    assert.doesNotMatch(response.body, /<script(?![^>]*\ssrc=)[^>]*>/i, `${where}: no inline script`);
    assert.doesNotMatch(response.body, /<style[\s>]|\sstyle=["']/i, `${where}: no inline style`);
    assert.doesNotMatch(response.body, /\son[a-z]+=["']/i, `${where}: no inline event handler`);
  }
  if (/json/.test(type) && !/^\/(docs|openapi\.json|oidc\/(\.well-known|jwks))/.test(where.split(' ')[1] ?? '')) {
    assert.match(String(headers['cache-control']), /no-store/, `${where}: an API answer is never cached`);
  }
}

/** Asks for every route the app registered, as each visitor, and checks every answer. Returns how many were checked. */
async function walk(app: FastifyInstance, visitors: readonly Visitor[], counts: Map<string, number>): Promise<number> {
  let checked = 0;
  const routes = registeredRoutes(app);
  assert.ok(routes.length > 5, 'the app registered its routes');
  for (const { method, url } of routes) {
    for (const path of urlsFor(url)) {
      for (const visitor of visitors) {
        const response = await app.inject({
          method: method as 'GET', url: path,
          headers: { ...(visitor.cookie ? { cookie: visitor.cookie } : {}), ...(method === 'GET' || method === 'HEAD' ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) },
          ...(method === 'GET' || method === 'HEAD' ? {} : { payload: 'csrf=wrong&csrf_token=wrong' }),
        });
        checkHeaders(`${method} ${path} as ${visitor.name} (${response.statusCode})`, response);
        const type = String(response.headers['content-type'] ?? '').split(';')[0]!;
        counts.set(type, (counts.get(type) ?? 0) + 1);
        checked += 1;
      }
    }
  }
  return checked;
}

const cookieOf = (cookies: Record<string, string>) => Object.entries(cookies).map(([name, value]) => `${name}=${value}`).join('; ');

// The headers do not depend on the database, so this walk runs on PGlite alone.
const backend = testBackends[0]!;
describe('security headers on every route of the bank and of both wallets', () => {
  let fixture: BankFixture;
  let wallet: TestWallet;
  let secure: TestWallet;

  before(async () => {
    fixture = await createBankFixture(backend);
    wallet = await openTestWallet(backend);
    secure = await openTestWallet(backend, { hardened: { public_url: 'http://wallet.test' } });
  });
  after(async () => {
    await fixture?.close();
    await wallet?.closeAll();
    await secure?.closeAll();
  });

  test('the bank: every route, as a visitor, a signed-in customer and a signed-in admin', async () => {
    const customer = await customerSession(fixture, fixture.customer.id);
    const admin = await staffSession(fixture, 'admin');
    const counts = new Map<string, number>();
    const checked = await walk(fixture.bank.app, [{ name: 'visitor' }, { name: 'customer', cookie: cookieOf(customer.cookies) }, { name: 'admin', cookie: cookieOf(admin.cookies) }], counts);
    assert.ok(checked > 100, `${checked} answers checked`);
    assert.ok((counts.get('text/html') ?? 0) > 20, 'pages were among them');
  });

  test('the 2020 wallet: every route, as a visitor and as a signed-in user', async () => {
    const browser = wallet.browser();
    assert.equal((await browser.signUp('山田 花子', 'hanako@example.jp')).statusCode, 303);
    const counts = new Map<string, number>();
    await walk(wallet.app, [{ name: 'visitor' }, { name: 'user', cookie: [...browser.cookies].map(([n, v]) => `${n}=${v}`).join('; ') }], counts);
    assert.ok((counts.get('text/html') ?? 0) > 10, 'pages were among them');
  });

  test('the hardened wallet: every route, as a visitor and as a user with a verified phone', async () => {
    const user = await hardenedTestSteps(secure).verifiedPhone();
    const counts = new Map<string, number>();
    await walk(secure.app, [{ name: 'visitor' }, { name: 'user', cookie: [...user.browser.cookies].map(([n, v]) => `${n}=${v}`).join('; ') }], counts);
    assert.ok((counts.get('text/html') ?? 0) > 10, 'pages were among them');
  });

  test('stylesheets and Swagger UI’s files are cacheable; pages, API answers and the authorization server’s are not', async () => {
    const stylesheet = registeredRoutes(fixture.bank.app).find((route) => route.url.startsWith('/assets/'))!;
    const css = await fixture.bank.app.inject({ url: stylesheet.url });
    assert.equal(css.statusCode, 200);
    assert.match(String(css.headers['content-type']), /^text\/css/);
    assert.match(String(css.headers['cache-control']), /^public, max-age=\d+/);
    for (const url of ['/bank/login', '/v1/charges/' + randomUUID(), '/oidc/.well-known/openid-configuration', '/oidc/auth']) {
      assert.equal((await fixture.bank.app.inject({ url })).headers['cache-control'], 'no-store', url);
    }
  });
});
