import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { createFapiOperator, type FapiOperator } from '../testing/fapi-operator.ts';
import { createCookieAgent, formValue } from '../testing/cookie-agent.ts';
import { enrolTotp } from '../testing/consent-walk.ts';
import { PASSWORD_FAILURES_PER_ACCOUNT_MAX } from '../throttle/credential-limits.ts';
import { SECOND_FACTOR_FAILURES_MAX } from '../mfa/second-factors.ts';

/**
 * The 2020 attack, replayed against an operator on the hardened policy. The thief holds what leaked then:
 * the victim's account number, cash-card PIN, name and date of birth. Not the victim's phone, not their
 * authenticator. (Docomo account, Sep 2020: 66 cases, ¥18M; Japan Post Bank: ~380 cases, ~¥60M.)
 */
for (const backend of testBackends) {
  describe(`the 2020 attack against a hardened operator on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let thiefWallet: FapiOperator;

    before(async () => {
      fixture = await createBankFixture(backend, { listen: true, link_methods: ['fapi2'] });
      await enrolTotp(fixture);
      thiefWallet = await createFapiOperator({ bank_url: fixture.url, operators: fixture.bank.services.operators, now: () => fixture.clock.now() });
    });
    after(() => fixture?.close());

    test('the account number, PIN, name and date of birth open nothing, no money moves, and the account locks with a notice', async () => {
      const before = await fixture.snapshot();
      const balanceBefore = await fixture.bank.services.core.balance(fixture.customer.account_id);

      // 1. The 2020 route itself: account number + PIN + name + DOB posted server-to-server. The policy forbids it.
      const legacy = await legacyLink(fixture);
      assert.equal(legacy.response.statusCode, 403);
      assert.equal(legacy.response.json().code, 'link_method_not_allowed');

      // 2. The hardened route: the wallet's eKYC is fooled into attesting the victim's name and DOB with the thief's phone.
      const { url } = await thiefWallet.startLink(await thiefWallet.attest({ name_kana: 'ヤマダ ハナコ', birth_date: '1948-03-15', phone: '080-9999-0000' }));
      const browser = createCookieAgent();
      const { response } = await browser.follow(url);
      const page = await response.text();
      const uid = /\/interaction\/([^/"?]+)/.exec(page)?.[1] ?? /interaction\/([^/]+)\/login/.exec(page)?.[1];
      assert.ok(uid, 'the bank asks the customer to log in first');
      // The bank asks for the internet-banking password, not the PIN: the thief tries the PIN, and guesses, one
      // short of the password lock so that the next step still reaches the second factor.
      let csrf = formValue(page, 'csrf_token');
      for (const guess of ['4321', '19480315', 'hanako1948', 'password'].slice(0, PASSWORD_FAILURES_PER_ACCOUNT_MAX - 1)) {
        const attempt = await browser.post(`${fixture.url}/interaction/${uid}/login`, { csrf_token: csrf, login_id: 'hanako', password: guess });
        assert.notEqual(attempt.status, 303, 'no guess gets past the password');
        csrf = formValue(await attempt.text(), 'csrf_token');
      }
      // Suppose the password leaked as well: the second factor still stops the thief, and locks after five tries.
      const withPassword = await browser.post(`${fixture.url}/interaction/${uid}/login`, { csrf_token: csrf, login_id: 'hanako', password: 'correct horse battery' });
      assert.equal(withPassword.status, 200, 'the right password leads to the second factor, not to consent');
      const mfaPage = await withPassword.text();
      assert.match(mfaPage, new RegExp(`/interaction/${uid}/mfa`));
      csrf = formValue(mfaPage, 'csrf_token');
      for (let i = 0; i < SECOND_FACTOR_FAILURES_MAX; i++) {
        const attempt = await browser.post(`${fixture.url}/interaction/${uid}/mfa`, { csrf_token: csrf, factor: 'totp', code: String(100000 + i) });
        assert.equal(attempt.status, 401, `wrong code ${i + 1} is refused`);
      }

      assert.equal(await fixture.bank.services.core.balance(fixture.customer.account_id), balanceBefore, '¥0 moved');
      const after = await fixture.snapshot();
      assert.deepEqual((after.counts as Record<string, unknown>).charges, (before.counts as Record<string, unknown>).charges);
      assert.deepEqual((after.counts as Record<string, unknown>).links, (before.counts as Record<string, unknown>).links);
      const locks = await fixture.db.query<{ factor: string }>(
        `SELECT factor FROM second_factors WHERE customer_id = $1 AND locked_at IS NOT NULL`, [fixture.customer.id]);
      assert.deepEqual(locks.map((lock) => lock.factor), ['totp'], 'the authenticator is locked, for staff to see');
      assert.ok(fixture.sms.messages('090-1111-2222').some((message) => message.purpose === 'second_factor_locked' && /ロック/.test(message.text)),
        'the customer is told by SMS');
    });
  });
}
