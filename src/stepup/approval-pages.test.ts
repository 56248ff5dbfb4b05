import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { FORM_HEADERS, formBody, postForm } from '../testing/staff-session.ts';
import { stepUpPurpose } from './step-up-purpose.ts';
import { balances, chargeLink, linkedElderlyCustomer, type WaitingChargeCustomer, STEP_UP_TEST_BANK } from './waiting-charge-fixture.ts';

for (const backend of testBackends) {
  describe(`the step-up approval page on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend, { waiting_charge_jobs: false, ...STEP_UP_TEST_BANK });
    });
    after(() => fixture?.close());

    /** A browser's cookies: the customer's session and the form-token secret. */
    type Cookies = Record<string, string>;
    const page = (path: string, cookie?: Cookies) => fixture.bank.app.inject({ url: path, cookies: cookie ?? {} });
    const post = (path: string, payload: Record<string, string>, cookie?: Cookies) =>
      fixture.bank.app.inject({ method: 'POST', url: path, payload: formBody(payload), headers: FORM_HEADERS, cookies: cookie ?? {} });
    const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];

    /** A challenged ¥100,000 and the customer logged in at the bank through the approval link. */
    async function atApprovalPage(): Promise<{ customer: WaitingChargeCustomer; charge_id: string; cookie: Cookies; url: string }> {
      const customer = await linkedElderlyCustomer(fixture);
      const charge_id = (await chargeLink(fixture, customer, 100_000)).json().id as string;
      const url = `/bank/approvals/${charge_id}`;
      const login = await postForm(fixture, url, `${url}/login`, { login_id: customer.login_id, password: customer.password });
      assert.equal(login.response.statusCode, 302);
      assert.equal(login.response.headers.location, url);
      return { customer, charge_id, cookie: login.cookies, url };
    }

    test('the link in the text asks for a login first, and a wrong password is refused', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const charge_id = (await chargeLink(fixture, customer, 100_000)).json().id;
      const first = await page(`/bank/approvals/${charge_id}`);
      assert.equal(first.statusCode, 200);
      assert.match(first.body, /action="\/bank\/approvals\/[0-9a-f-]+\/login"/);
      assert.doesNotMatch(first.body, /¥100,000/, 'nothing about the charge before login');
      const { response: wrong } = await postForm(fixture, `/bank/approvals/${charge_id}`, `/bank/approvals/${charge_id}/login`, { login_id: customer.login_id, password: 'wrong' });
      assert.equal(wrong.statusCode, 401);
    });

    test('after login the page shows the exact amount and payee; the texted code approves it and the money moves', async () => {
      const { customer, charge_id, cookie, url } = await atApprovalPage();
      const shown = await page(url, cookie);
      assert.match(shown.body, /id="amount"[^>]*>¥100,000</);
      assert.match(shown.body, /id="payee">ドコモ口座 \(テスト\)</);
      assert.match(shown.body, /data-status="pending_approval"/);
      const csrf = field(shown.body, 'csrf')!;
      const sent = await post(`${url}/sms`, { csrf }, cookie);
      assert.equal(sent.statusCode, 200);
      const code = fixture.sms.lastCode(customer.phone, stepUpPurpose({ charge_id, amount_yen: 100_000, payee_operator_id: fixture.operator.id }))!;
      const before = await balances(fixture, customer.account_id);
      const approved = await post(`${url}/approve`, {
        csrf, factor: 'sms', code, amount_yen: field(sent.body, 'amount_yen')!, payee_operator_id: field(sent.body, 'payee_operator_id')!,
      }, cookie);
      assert.equal(approved.statusCode, 200);
      assert.match(approved.body, /data-status="succeeded"/);
      assert.equal((await balances(fixture, customer.account_id)).posted_yen, before.posted_yen - 100_000);
    });

    test('with SMS only, the page offers to text the masked number first; once sent it says where, asks for the code, and holds the resend back', async () => {
      const { customer, charge_id, cookie, url } = await atApprovalPage();
      const shown = await page(url, cookie);
      assert.match(shown.body, /id="send-sms"[^>]*>[^<]*\*+\d{4}/, 'the send button names the masked number');
      assert.doesNotMatch(shown.body, /name="code"/, 'no code field before a code is sent');
      assert.doesNotMatch(shown.body, new RegExp(customer.phone.replace(/\D/g, '').slice(0, 7)), 'the full number is never shown');
      const csrf = field(shown.body, 'csrf')!;
      const sent = await post(`${url}/sms`, { csrf }, cookie);
      assert.match(sent.body, /id="sms-sent"[^>]*>[^<]*\*+\d{4}/, 'the page says the code went to the masked number');
      assert.match(sent.body, /name="code"/);
      assert.match(sent.body, /class="resend counting wait-60"/, 'the resend control counts down the whole interval');
      assert.match(sent.body, /id="resend-sms-waiting" disabled/);
      assert.match((await page(url, cookie)).body, /id="sms-sent"/, 'a reload still knows the code was sent');
      const again = await post(`${url}/sms`, { csrf }, cookie);
      assert.equal(again.statusCode, 429, 'an early resend is refused by the server, timer or not');
      assert.match(again.body, /\d\d:\d\d:\d\d 以降に再送できます/);
      assert.equal(fixture.sms.messages(customer.phone).filter((message) => message.purpose === stepUpPurpose({ charge_id, amount_yen: 100_000, payee_operator_id: fixture.operator.id })).length, 1, 'one code sent');
    });

    test('a form altered to a different amount is refused and nothing moves', async () => {
      const { customer, charge_id, cookie, url } = await atApprovalPage();
      const shown = await page(url, cookie);
      const csrf = field(shown.body, 'csrf')!;
      await post(`${url}/sms`, { csrf }, cookie);
      const code = fixture.sms.lastCode(customer.phone, stepUpPurpose({ charge_id, amount_yen: 100_000, payee_operator_id: fixture.operator.id }))!;
      const before = await fixture.snapshot();
      const altered = await post(`${url}/approve`, { csrf, factor: 'sms', code, amount_yen: '1000', payee_operator_id: fixture.operator.id }, cookie);
      assert.equal(altered.statusCode, 401);
      assert.match(altered.body, /data-status="pending_approval"/);
      // The failed code counts toward the factor's lock; nothing else is written.
      await fixture.assertNothingWritten(before, { except: ['second_factor_spent', 'sms_code'] });
    });

    test('a form without the session’s CSRF token changes nothing', async () => {
      const { customer, cookie, url } = await atApprovalPage();
      const shown = (await page(url, cookie)).body;
      const fields = { factor: 'sms', code: '000000', amount_yen: '100000', payee_operator_id: fixture.operator.id };
      const before = await fixture.snapshot();
      for (const action of ['decline', 'approve', 'sms']) {
        const refused = await post(`${url}/${action}`, { ...fields, csrf: 'forged' }, cookie);
        assert.equal(refused.statusCode, 403, action);
        assert.match(refused.body, /フォームの有効期限が切れました/, action);
      }
      await fixture.assertNothingWritten(before);
      await post(`${url}/sms`, { csrf: field(shown, 'csrf')! }, cookie);
      const unsigned = await post(`${url}/approve`, { ...fields, code: fixture.sms.lastCode(customer.phone)! }, cookie);
      assert.equal(unsigned.statusCode, 403, 'the right code in a form without its token approves nothing');
      assert.match((await page(url, cookie)).body, /data-status="pending_approval"/);
    });

    test('declining on the page voids the reservation and says no money moved', async () => {
      const { customer, cookie, url } = await atApprovalPage();
      const before = await balances(fixture, customer.account_id);
      const csrf = field((await page(url, cookie)).body, 'csrf')!;
      const declined = await post(`${url}/decline`, { csrf }, cookie);
      assert.equal(declined.statusCode, 200);
      assert.match(declined.body, /data-status="declined"/);
      assert.deepEqual(await balances(fixture, customer.account_id), { ...before, debits_pending_yen: 0 });
    });

    test('another customer’s charge is not found, and a malformed id is refused', async () => {
      const { charge_id } = await atApprovalPage();
      const other = await atApprovalPage();
      const response = await page(`/bank/approvals/${charge_id}`, other.cookie);
      assert.equal(response.statusCode, 404);
      assert.equal((await page('/bank/approvals/not-a-uuid', other.cookie)).statusCode, 400);
    });
  });
}
