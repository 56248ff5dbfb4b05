import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { formValue, openTestWallet, type TestWallet } from './open-test-wallet.ts';
import { SESSION_SECONDS_MAX } from './wallet-sessions.ts';

for (const backend of testBackends) {
  describe(`wallet login and sessions on ${backend.name}`, { skip: backend.skip }, () => {
    let wallet: TestWallet;
    before(async () => {
      wallet = await openTestWallet(backend);
      await wallet.browser().signUp('鈴木 一郎', 'ichiro@example.jp', 'ichiro-password');
    });
    after(() => wallet?.closeAll());

    test('the right e-mail and password sign in with an HttpOnly, SameSite=Lax session cookie', async () => {
      const browser = wallet.browser();
      const response = await browser.logIn('ICHIRO@example.jp', 'ichiro-password');
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, '/');
      const cookie = response.cookies.find((c) => c.name === 'wallet_session');
      assert.ok(cookie);
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Lax');
      assert.equal(cookie.path, '/');
      assert.match((await browser.get('/')).body, /鈴木 一郎/);
    });

    test('logging in starts a new session, so a session id planted before it is worthless', async () => {
      const browser = wallet.browser();
      const planted = 'planted-by-an-attacker-0123456789abcdef';
      browser.cookies.set('wallet_session', planted);
      await browser.logIn('ichiro@example.jp', 'ichiro-password');
      const after_login = browser.cookies.get('wallet_session');
      assert.ok(after_login);
      assert.notEqual(after_login, planted);
      assert.match((await browser.get('/')).body, /ichiro|一郎/, 'signed in');
      const attacker = wallet.browser();
      attacker.cookies.set('wallet_session', planted);
      assert.match((await attacker.get('/')).body, /ようこそ/);
    });

    test('a wrong password and an unknown e-mail get the same 401 answer', async () => {
      const wrong = await wallet.browser().logIn('ichiro@example.jp', 'not-the-password');
      const unknown = await wallet.browser().logIn('nobody@example.jp', 'ichiro-password');
      assert.equal(wrong.statusCode, 401);
      assert.equal(unknown.statusCode, 401);
      for (const response of [wrong, unknown]) assert.match(response.body, /data-code="wallet_credentials_invalid"/);
      assert.equal(formValue(wrong.body, 'password'), undefined, 'the password is not echoed back');
    });

    test('a login post without the CSRF token is refused with 403', async () => {
      const browser = wallet.browser();
      await browser.get('/login');
      const response = await browser.post('/login', { email: 'ichiro@example.jp', password: 'ichiro-password' });
      assert.equal(response.statusCode, 403);
      assert.match((await browser.get('/')).body, /ようこそ/);
    });

    test('signed-in pages send a visitor to the login page', async () => {
      for (const path of ['/charge', '/pay', '/send', '/link']) {
        const response = await wallet.browser().get(path);
        assert.equal(response.statusCode, 303, path);
        assert.equal(response.headers.location, '/login');
      }
    });

    test('logging out ends the session on the server, so the old cookie no longer works', async () => {
      const browser = wallet.browser();
      await browser.logIn('ichiro@example.jp', 'ichiro-password');
      const old_cookie = browser.cookies.get('wallet_session') ?? '';
      const home = await browser.get('/');
      const response = await browser.post('/logout', { csrf_token: formValue(home.body, 'csrf_token') ?? '' });
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, '/login?done=logged_out');
      const replay = wallet.browser();
      replay.cookies.set('wallet_session', old_cookie);
      assert.equal((await replay.get('/pay')).statusCode, 303);
    });

    test('a cross-site logout post without the token is refused and the session survives', async () => {
      const browser = wallet.browser();
      await browser.logIn('ichiro@example.jp', 'ichiro-password');
      assert.equal((await browser.post('/logout', {})).statusCode, 403);
      assert.equal((await browser.get('/pay')).statusCode, 200);
    });

    test(`a session lasts ${SESSION_SECONDS_MAX / 3600} hours by the wallet's clock and not a second longer`, async () => {
      const browser = wallet.browser();
      await browser.logIn('ichiro@example.jp', 'ichiro-password');
      wallet.clock.advance(SESSION_SECONDS_MAX * 1000 - 1000);
      assert.equal((await browser.get('/pay')).statusCode, 200);
      wallet.clock.advance(1000);
      assert.equal((await browser.get('/pay')).statusCode, 303);
    });
  });
}
