import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { raceTest, testBackends } from '../testing/test-databases.ts';
import { formValue, openTestWallet, type TestBrowser, type TestWallet } from './open-test-wallet.ts';

/** The demo merchants the migration seeds. */
const FAMILYMART = '0190a000-0000-7000-8000-000000000101';
const TOKYO_BOOKS = '0190a000-0000-7000-8000-000000000102';

for (const backend of testBackends) {
  describe(`paying a merchant on ${backend.name}`, { skip: backend.skip }, () => {
    let wallet: TestWallet;
    let serial = 0;
    before(async () => {
      wallet = await openTestWallet(backend);
    });
    after(async () => {
      const invariants = await wallet.context.ledger.checkInvariants();
      assert.equal(invariants.ok, true, 'the wallet ledger balances after every test');
      await wallet.closeAll();
    });

    async function fundedUser(amount_yen: number): Promise<{ browser: TestBrowser; email: string }> {
      const email = `payer${++serial}@example.jp`;
      const browser = wallet.browser();
      await browser.signUp(`Payer ${serial}`, email);
      if (amount_yen > 0) await wallet.fund(email, amount_yen);
      return { browser, email };
    }

    const pay = (browser: TestBrowser, fields: Record<string, string>) => browser.submit('/pay', '/pay', fields, ['payment_id']);

    test('the pay form lists the demo merchants', async () => {
      const { browser } = await fundedUser(0);
      const page = await browser.get('/pay');
      assert.match(page.body, /ファミリーマート 渋谷店/);
      assert.match(page.body, /Tokyo Books/);
      assert.match(page.body, /name="payment_id"/);
    });

    test('paying exactly the whole balance passes and leaves ¥0', async () => {
      const { browser, email } = await fundedUser(1000);
      const { response, sent } = await pay(browser, { merchant_id: FAMILYMART, amount_yen: '1000' });
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, `/payments/${sent.payment_id}`);
      assert.equal(await wallet.balance(email), 0);
      const receipt = await browser.get(String(response.headers.location));
      assert.equal(receipt.statusCode, 200);
      assert.match(receipt.body, /ファミリーマート 渋谷店/);
      assert.match(receipt.body, /¥1,000/);
    });

    test('paying one yen more than the balance is refused with 422 and writes nothing', async () => {
      const { browser, email } = await fundedUser(1000);
      await browser.get('/pay');
      const before = await wallet.snapshot();
      const { response } = await pay(browser, { merchant_id: FAMILYMART, amount_yen: '1001' });
      assert.equal(response.statusCode, 422);
      assert.match(response.body, /data-code="wallet_balance_insufficient"/);
      assert.equal(await wallet.balance(email), 1000);
      await wallet.assertNothingWritten(before);
    });

    test('a form submitted twice pays once, and the second answer shows the first payment', async () => {
      const { browser, email } = await fundedUser(5000);
      const { response, sent } = await pay(browser, { merchant_id: TOKYO_BOOKS, amount_yen: '1200' });
      assert.equal(response.statusCode, 303);
      const again = await browser.post('/pay', sent);
      assert.equal(again.statusCode, 303);
      assert.equal(again.headers.location, `/payments/${sent.payment_id}?replayed=1`);
      assert.equal(await wallet.balance(email), 3800);
      assert.match((await browser.get(String(again.headers.location))).body, /already made/);
    });

    // PostgreSQL only: PGlite runs one transaction at a time, so the three posts' transactions cannot overlap there.
    raceTest(backend, 'two copies of the same form submitted at once still pay once', async () => {
      const { browser, email } = await fundedUser(5000);
      const page = await browser.get('/pay');
      const csrf_token = /name="csrf_token" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const payment_id = /name="payment_id" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const fields = { csrf_token, payment_id, merchant_id: FAMILYMART, amount_yen: '700' };
      const payments = await wallet.count('wallet_payments');
      const responses = await Promise.all([browser.post('/pay', fields), browser.post('/pay', fields), browser.post('/pay', fields)]);
      assert.deepEqual(responses.map((r) => r.statusCode), [303, 303, 303]);
      assert.equal(await wallet.balance(email), 4300);
      assert.equal(await wallet.count('wallet_payments'), payments + 1);
    });

    test('reusing a payment id with a different amount is refused with 409 and changes nothing', async () => {
      const { browser, email } = await fundedUser(5000);
      const { sent } = await pay(browser, { merchant_id: FAMILYMART, amount_yen: '100' });
      const before = await wallet.snapshot();
      const response = await browser.post('/pay', { ...sent, amount_yen: '200' });
      assert.equal(response.statusCode, 409);
      assert.match(response.body, /data-code="idempotency_key_reused"/);
      assert.equal(await wallet.balance(email), 4900);
      await wallet.assertNothingWritten(before);
    });

    test('another user cannot replay or view someone else’s payment', async () => {
      const first = await fundedUser(5000);
      const second = await fundedUser(5000);
      const { response, sent } = await pay(first.browser, { merchant_id: FAMILYMART, amount_yen: '300' });
      const csrf_token = /name="csrf_token" value="([^"]+)"/.exec((await second.browser.get('/pay')).body)?.[1] ?? '';
      const before = await wallet.snapshot();
      const replay = await second.browser.post('/pay', { ...sent, csrf_token });
      assert.equal(replay.statusCode, 409);
      assert.equal(await wallet.balance(second.email), 5000);
      await wallet.assertNothingWritten(before);
      assert.equal((await second.browser.get(String(response.headers.location))).statusCode, 404);
    });

    test('bad amounts are refused with 400, keep what was typed, and write nothing', async () => {
      const { browser, email } = await fundedUser(5000);
      await browser.get('/pay');
      const before = await wallet.snapshot();
      for (const amount_yen of ['0', '-5', '1.5', '01', '1e3', '１０００', '', 'abc', '1000000000000']) {
        const { response } = await pay(browser, { merchant_id: FAMILYMART, amount_yen });
        assert.equal(response.statusCode, 400, amount_yen);
        assert.match(response.body, /id="amount_yen"[^>]*aria-invalid="true"/);
        assert.equal(/name="amount_yen"[^>]*value="([^"]*)"/.exec(response.body)?.[1], amount_yen);
      }
      assert.equal(await wallet.balance(email), 5000);
      await wallet.assertNothingWritten(before);
    });

    test('an unknown merchant is refused with 404 and pays nothing', async () => {
      const { browser } = await fundedUser(5000);
      await browser.get('/pay');
      const before = await wallet.snapshot();
      const { response } = await pay(browser, { merchant_id: '0190a000-0000-7000-8000-0000000009ff', amount_yen: '10' });
      assert.equal(response.statusCode, 404);
      assert.match(response.body, /data-code="wallet_merchant_not_found"/);
      const { response: garbage } = await pay(browser, { merchant_id: 'family-mart', amount_yen: '10' });
      assert.equal(garbage.statusCode, 404);
      await wallet.assertNothingWritten(before);
    });

    test('a payment post with a wrong CSRF token is refused with 403 and pays nothing', async () => {
      const { browser, email } = await fundedUser(5000);
      await browser.get('/pay');
      const before = await wallet.snapshot();
      const { response } = await pay(browser, { csrf_token: 'forged', merchant_id: FAMILYMART, amount_yen: '10' });
      assert.equal(response.statusCode, 403);
      assert.equal(await wallet.balance(email), 5000);
      await wallet.assertNothingWritten(before);
    });

    test('a payment post without a session, its form token good for a visitor, is refused with 401', async () => {
      const browser = wallet.browser();
      const csrf_token = formValue((await browser.get('/login')).body, 'csrf_token')!;
      const before = await wallet.snapshot();
      const response = await browser.post('/pay', { csrf_token, payment_id: '0190a000-0000-7000-8000-000000000999', merchant_id: FAMILYMART, amount_yen: '10' });
      assert.equal(response.statusCode, 401);
      assert.match(response.body, /data-code="wallet_unauthenticated"/);
      await wallet.assertNothingWritten(before);
    });

    test('the home page history shows the payment with the merchant’s name', async () => {
      const { browser } = await fundedUser(5000);
      await pay(browser, { merchant_id: TOKYO_BOOKS, amount_yen: '2500' });
      const home = await browser.get('/');
      assert.match(home.body, /data-balance-yen="2500"/);
      assert.match(home.body, /data-kind="payment"/);
      assert.match(home.body, /Tokyo Books/);
      assert.match(home.body, /−¥2,500/);
    });
  });
}
