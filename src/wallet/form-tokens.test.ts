import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { listRoutes } from '../testing/route-list.ts';
import { formValue, openTestWallet, type TestWallet } from './open-test-wallet.ts';

const backend = testBackends[0]!;

for (const mode of ['legacy_2020', 'hardened'] as const) {
  describe(`every form of the ${mode} wallet needs its form token`, () => {
    let wallet: TestWallet;
    before(async () => {
      wallet = await openTestWallet(backend, mode === 'hardened' ? { hardened: { public_url: 'http://wallet.test' } } : {});
    });
    after(() => wallet?.close());

    test('a post to any route without a token, with a forged one, or with another browser’s, is refused with wallet_csrf_token_invalid and writes nothing', async () => {
      // A signed-in user's browser: a session and a form-token secret; only the token is missing or wrong.
      const user = wallet.browser();
      const signed_up = mode === 'hardened'
        ? (await user.submit('/signup', '/signup', { name: '山田 花子', email: 'form-tokens@example.jp', phone: '090-1234-5678', password: 'correct horse battery' })).response
        : await user.signUp('山田 花子', 'form-tokens@example.jp');
      assert.equal(signed_up.statusCode, 303);
      const stranger = wallet.browser();
      const strangers_token = formValue((await stranger.get('/login')).body, 'csrf_token')!;
      const tables = ['wallet_users', 'wallet_payments', 'wallet_sends', 'wallet_top_ups', 'wallet_bank_links', 'wallet_ekyc_checks', 'wallet_link_authorizations'] as const;
      const counts = async () => Promise.all(tables.map((table) => wallet.count(table)));
      const before_counts = await counts();
      const forms = listRoutes(wallet.app).filter((route) => route.methods.includes('POST'));
      assert.ok(forms.length >= (mode === 'hardened' ? 10 : 8), `the walk found the forms (${forms.map((route) => route.path).join(' ')})`);
      for (const route of forms) {
        for (const [what, csrf_token] of [['no token', undefined], ['a forged token', 'forged'], ['another browser’s token', strangers_token]] as const) {
          const response = await user.post(route.path, { ...(csrf_token === undefined ? {} : { csrf_token }), amount_yen: '1000', code: '123456' });
          assert.equal(response.statusCode, 403, `${route.path} with ${what}`);
          assert.match(response.body, /data-code="wallet_csrf_token_invalid"/, `${route.path} with ${what}`);
        }
      }
      assert.deepEqual(await counts(), before_counts);
      assert.match((await user.get('/')).body, /山田 花子/, 'still signed in: even /logout without its token ended nothing');
    });
  });
}
