import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { formValue, openTestWallet, type TestWallet } from './open-test-wallet.ts';

for (const backend of testBackends) {
  describe(`wallet sign-up on ${backend.name}`, { skip: backend.skip }, () => {
    let wallet: TestWallet;
    before(async () => {
      wallet = await openTestWallet(backend);
    });
    after(() => wallet?.closeAll());

    test('signing up with a name, e-mail and password opens the wallet and arrives signed in with ¥0', async () => {
      const browser = wallet.browser();
      const response = await browser.signUp('山田 太郎', 'taro@example.jp');
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, '/?done=signed_up');
      const home = await browser.get('/');
      assert.equal(home.statusCode, 200);
      assert.match(home.body, /山田 太郎/);
      assert.match(home.body, /data-balance-yen="0"/);
      assert.match(home.body, /data-link-status="none"/);
      assert.equal(await wallet.balance('taro@example.jp'), 0);
    });

    test('no identity check is asked for: any name with any e-mail is accepted, as in 2020', async () => {
      const response = await wallet.browser().signUp('Someone Else Entirely', 'not-the-account-holder@example.jp');
      assert.equal(response.statusCode, 303);
    });

    test('a second sign-up with the same e-mail, in any case, is refused with 409 and writes nothing', async () => {
      await wallet.browser().signUp('花子', 'hanako@example.jp');
      const browser = wallet.browser();
      await browser.get('/signup');
      const before = await wallet.snapshot();
      const response = await browser.signUp('偽花子', 'HANAKO@Example.jp');
      assert.equal(response.statusCode, 409);
      assert.match(response.body, /data-code="wallet_email_taken"/);
      assert.equal(formValue(response.body, 'name'), '偽花子', 'the form keeps what was typed');
      await wallet.assertNothingWritten(before);
      assert.equal(browser.cookies.has('wallet_session'), false, 'no session was started');
      assert.match((await browser.get('/')).body, /ようこそ/, 'still not signed in');
    });

    test('a malformed e-mail re-renders the form with 400 and writes nothing', async () => {
      const browser = wallet.browser();
      await browser.get('/signup');
      const before = await wallet.snapshot();
      for (const email of ['no-at-sign', 'a@b', 'two@@example.jp', '']) {
        const response = await browser.signUp('名前', email);
        assert.equal(response.statusCode, 400, email);
        assert.match(response.body, /data-code="validation_failed"/);
        assert.match(response.body, /id="email"[^>]*aria-invalid="true"/);
      }
      await wallet.assertNothingWritten(before);
    });

    test('a password of 7 characters is refused and one of 8 is accepted', async () => {
      assert.equal((await wallet.browser().signUp('短い', 'short@example.jp', '1234567')).statusCode, 400);
      assert.equal((await wallet.browser().signUp('ちょうど', 'short@example.jp', '12345678')).statusCode, 303);
    });

    test('an empty or over-long name is refused', async () => {
      assert.equal((await wallet.browser().signUp('  ', 'blank@example.jp')).statusCode, 400);
      assert.equal((await wallet.browser().signUp('x'.repeat(61), 'long@example.jp')).statusCode, 400);
    });

    test('a sign-up post without the CSRF token, or with another session’s, is refused with 403', async () => {
      const users = await wallet.count('wallet_users');
      const browser = wallet.browser();
      await browser.get('/signup');
      const missing = await browser.post('/signup', { name: 'x', email: 'csrf1@example.jp', password: 'password1' });
      assert.equal(missing.statusCode, 403);
      assert.match(missing.body, /data-code="wallet_csrf_token_invalid"/);
      const other = formValue((await wallet.browser().get('/signup')).body, 'csrf_token') ?? '';
      const foreign = await browser.post('/signup', { csrf_token: other, name: 'x', email: 'csrf2@example.jp', password: 'password1' });
      assert.equal(foreign.statusCode, 403);
      const no_session = await wallet.browser().post('/signup', { csrf_token: other, name: 'x', email: 'csrf3@example.jp', password: 'password1' });
      assert.equal(no_session.statusCode, 403);
      assert.equal(await wallet.count('wallet_users'), users);
    });

    test('an unknown form field is refused with 400 rather than ignored', async () => {
      const { response } = await wallet.browser().submit('/signup', '/signup', { name: 'x', email: 'extra@example.jp', password: 'password1', is_admin: 'true' });
      assert.equal(response.statusCode, 400);
      assert.match(response.body, /data-code="validation_failed"/);
    });

    test('markup in a name is shown as text, never run', async () => {
      const browser = wallet.browser();
      await browser.signUp('<script>alert(1)</script>', 'xss@example.jp');
      const home = await browser.get('/');
      assert.doesNotMatch(home.body, /<script>alert/);
      assert.match(home.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    });

    test('pages carry a strict content security policy and are not cached', async () => {
      const page = await wallet.browser().get('/signup');
      assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.equal(page.headers['x-frame-options'], 'DENY');
    });
  });
}
