import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { openTestWallet, type TestBrowser, type TestWallet } from './open-test-wallet.ts';

for (const backend of testBackends) {
  describe(`sending to another wallet user on ${backend.name}`, { skip: backend.skip }, () => {
    let wallet: TestWallet;
    let serial = 0;
    before(async () => {
      wallet = await openTestWallet(backend);
    });
    after(async () => {
      assert.equal((await wallet.context.ledger.checkInvariants()).ok, true);
      await wallet.closeAll();
    });

    async function user(amount_yen: number): Promise<{ browser: TestBrowser; email: string; name: string }> {
      const email = `user${++serial}@example.jp`;
      const name = `利用者 ${serial}`;
      const browser = wallet.browser();
      await browser.signUp(name, email);
      if (amount_yen > 0) await wallet.fund(email, amount_yen);
      return { browser, email, name };
    }

    const send = (browser: TestBrowser, fields: Record<string, string>) => browser.submit('/send', '/send', fields, ['send_id']);

    test('sending moves e-money from one user to the other, and both histories show it', async () => {
      const alice = await user(3000);
      const bob = await user(0);
      const { response, sent } = await send(alice.browser, { recipient_email: bob.email.toUpperCase(), amount_yen: '1000' });
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, `/sends/${sent.send_id}`);
      assert.equal(await wallet.balance(alice.email), 2000);
      assert.equal(await wallet.balance(bob.email), 1000);
      assert.match((await alice.browser.get(String(response.headers.location))).body, new RegExp(bob.name));
      const bob_home = await bob.browser.get('/');
      assert.match(bob_home.body, /data-kind="send_in"/);
      assert.match(bob_home.body, new RegExp(alice.name));
      assert.match(bob_home.body, /\+¥1,000/);
    });

    test('sending the exact balance passes and one yen more is refused with 422, writing nothing', async () => {
      const alice = await user(500);
      const bob = await user(0);
      await alice.browser.get('/send');
      const before = await wallet.snapshot();
      const { response: over } = await send(alice.browser, { recipient_email: bob.email, amount_yen: '501' });
      assert.equal(over.statusCode, 422);
      assert.match(over.body, /data-code="wallet_balance_insufficient"/);
      assert.equal(await wallet.balance(bob.email), 0);
      await wallet.assertNothingWritten(before);
      const { response: exact } = await send(alice.browser, { recipient_email: bob.email, amount_yen: '500' });
      assert.equal(exact.statusCode, 303);
      assert.equal(await wallet.balance(alice.email), 0);
      assert.equal(await wallet.balance(bob.email), 500);
    });

    test('a send form submitted twice sends once', async () => {
      const alice = await user(3000);
      const bob = await user(0);
      const { sent } = await send(alice.browser, { recipient_email: bob.email, amount_yen: '800' });
      const again = await alice.browser.post('/send', sent);
      assert.equal(again.statusCode, 303);
      assert.equal(again.headers.location, `/sends/${sent.send_id}?replayed=1`);
      assert.equal(await wallet.balance(alice.email), 2200);
      assert.equal(await wallet.balance(bob.email), 800);
    });

    test('sending to oneself is refused with 422 and sends nothing', async () => {
      const alice = await user(3000);
      await alice.browser.get('/send');
      const before = await wallet.snapshot();
      const { response } = await send(alice.browser, { recipient_email: alice.email, amount_yen: '100' });
      assert.equal(response.statusCode, 422);
      assert.match(response.body, /data-code="wallet_send_to_self"/);
      assert.equal(await wallet.balance(alice.email), 3000);
      await wallet.assertNothingWritten(before);
    });

    test('an e-mail nobody signed up with is refused with 404, and a malformed one with 400, sending nothing', async () => {
      const alice = await user(3000);
      await alice.browser.get('/send');
      const before = await wallet.snapshot();
      const { response: unknown } = await send(alice.browser, { recipient_email: 'ghost@example.jp', amount_yen: '100' });
      assert.equal(unknown.statusCode, 404);
      assert.match(unknown.body, /data-code="wallet_user_not_found"/);
      const { response: malformed } = await send(alice.browser, { recipient_email: 'ghost', amount_yen: '100' });
      assert.equal(malformed.statusCode, 400);
      assert.equal(await wallet.balance(alice.email), 3000);
      await wallet.assertNothingWritten(before);
    });

    test('a send post with a wrong CSRF token is refused with 403 and sends nothing', async () => {
      const alice = await user(3000);
      const bob = await user(0);
      await alice.browser.get('/send');
      const before = await wallet.snapshot();
      const { response } = await send(alice.browser, { csrf_token: '', recipient_email: bob.email, amount_yen: '100' });
      assert.equal(response.statusCode, 403);
      assert.equal(await wallet.balance(bob.email), 0);
      await wallet.assertNothingWritten(before);
    });

    test('the recipient cannot open the sender’s receipt', async () => {
      const alice = await user(3000);
      const bob = await user(0);
      const { response } = await send(alice.browser, { recipient_email: bob.email, amount_yen: '100' });
      assert.equal((await bob.browser.get(String(response.headers.location))).statusCode, 404);
    });
  });
}
