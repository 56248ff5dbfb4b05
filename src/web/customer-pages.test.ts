import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { charge, createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { FORM_HEADERS, formBody, logInCustomer } from '../testing/staff-session.ts';
import { insertConsentedLinkRow } from '../testing/consented-link-row.ts';

for (const backend of testBackends) {
  describe(`customer pages on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let cookies: Record<string, string>;
    before(async () => {
      // These tests are about the pages: risk only observes, or the 2020-shaped charges here would wait for approval.
      fixture = await createBankFixture(backend, { risk: { mode: 'observe' } });
      const login = await logInCustomer(fixture, 'hanako', 'correct horse battery');
      assert.equal(login.response.statusCode, 302);
      cookies = login.cookies;
    });
    after(() => fixture?.close());

    const passbook = () => fixture.bank.app.inject({ url: '/bank/passbook', cookies });
    const csrfOn = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)![1]!;

    test('a wrong password shows the login again and never says which part was wrong', async () => {
      const { response } = await logInCustomer(fixture, 'hanako', 'wrong');
      assert.equal(response.statusCode, 401);
      assert.match(response.body, /ログインIDまたはパスワードが違います/);
    });

    test('five wrong passwords lock the login: the fifth answer and every later one, even with the right password, say it is locked, why and whom to call', async () => {
      await fixture.bank.services.core.openCustomer({
        name_kanji: '鈴木 美咲', name_kana: 'スズキ ミサキ', birth_date: '1995-07-21', phone: '070-3456-7890', email: 'm@example.jp',
        address: '岡山県', login_id: 'misaki', password: 'misaki right password',
      });
      const attempt = async (password: string) => (await logInCustomer(fixture, 'misaki', password)).response;
      for (let i = 0; i < 4; i++) assert.equal((await attempt(`guess-${i}`)).statusCode, 401);
      for (const password of ['guess-4', 'misaki right password']) {
        const refused = await attempt(password);
        assert.equal(refused.statusCode, 423);
        assert.match(refused.body, /パスワードを続けて5回間違えたため.*ロックしました.*0120-000-000/);
        assert.doesNotMatch(refused.body, /wrong passwords/, 'one language per page: Japanese unless English was chosen');
        assert.doesNotMatch(refused.body, /パスワードが違います/);
        assert.ok(!refused.cookies.some((cookie) => cookie.name === 'furikae_customer'), 'no session');
      }
      const [state] = await fixture.db.query<{ locked: boolean }>(
        `SELECT locked_at IS NOT NULL AS locked FROM credential_account_states WHERE credential = 'password' AND account_key = 'login:misaki'`);
      assert.equal(state?.locked, true);
      const locked_alerts = await fixture.db.query<{ customer_id: string }>(
        `SELECT a.customer_id FROM alerts a JOIN customers c ON c.id = a.customer_id WHERE a.kind = 'credential_login_locked' AND c.phone = '070-3456-7890'`);
      assert.equal(locked_alerts.length, 1, 'the lock reaches the staff alert queue, once');
      assert.match(fixture.sms.messages('070-3456-7890').at(-1)?.text ?? '', /インターネットバンキングのログインを/);
      assert.doesNotMatch(fixture.sms.messages('070-3456-7890').at(-1)?.text ?? '', /login:|mi\*\*\*/);
    });

    test('an unknown login id locks the same way, so the lock message tells a guesser nothing about who banks here', async () => {
      const attempt = async () => (await logInCustomer(fixture, 'nobody-here', 'x')).response;
      for (let i = 0; i < 4; i++) assert.equal((await attempt()).statusCode, 401);
      const alerts_before = (await fixture.db.query(`SELECT 1 FROM alerts WHERE kind = 'credential_login_locked'`)).length;
      assert.equal((await attempt()).statusCode, 423);
      assert.equal((await fixture.db.query(`SELECT 1 FROM alerts WHERE kind = 'credential_login_locked'`)).length, alerts_before,
        'no customer, no login alert: spraying unknown ids is the spray detectors’ business');
    });

    test('the passbook lists the operator’s label on each charge line and the linked services', async () => {
      const { body } = await legacyLink(fixture);
      assert.equal((await charge(fixture, body.link_token, { amount_yen: 5000 }, 'p-1')).statusCode, 201);
      const page = (await passbook()).body;
      assert.match(page, /<td>ドコモ口座<\/td><td class="yen">¥5,000<\/td>/);
      assert.match(page, /口座番号と暗証番号で連携 \(二段階認証なし\)/);
      assert.doesNotMatch(page, /FAPI|2FA/, 'no protocol jargon for customers');
    });

    test('linked services show when a consent ends, and once it has, that it can be renewed from the service\'s app', async () => {
      const ends = new Date(fixture.clock.now().getTime() + 30 * 24 * 60 * 60 * 1000);
      const link_id = await insertConsentedLinkRow(fixture.db, { operator_id: fixture.operator.id, account_id: fixture.customer.account_id, created_at: fixture.clock.now(), consent_expires_at: ends });
      const row = (page: string) => new RegExp(`data-link="${link_id}">(?:(?!</tr>).)*`, 's').exec(page)?.[0] ?? '';
      const jst = new Date(ends.getTime() + 9 * 60 * 60 * 1000).toISOString().slice(0, 10);
      assert.match(row((await passbook()).body), new RegExp(`<td class="consent-ends">${jst}</td>`));
      await fixture.db.query(`UPDATE links SET consent_expires_at = $2 WHERE id = $1`, [link_id, new Date(fixture.clock.now().getTime() - 60_000)]);
      assert.match(row((await passbook()).body), /期限切れ: サービスのアプリから更新できます/);
      await fixture.db.query(`UPDATE links SET status = 'revoked' WHERE id = $1`, [link_id]);
    });

    test('the passbook leads on: security settings, linked services and log-out in its header, the fraud desk’s number beside 「すぐにご連絡ください」, the account as 101支店 普通 ****567', async () => {
      const page = (await passbook()).body;
      const header = /<header>.*?<\/header>/s.exec(page)?.[0] ?? '';
      assert.match(header, /href="\/bank\/security">セキュリティ設定</);
      assert.match(header, /href="\/bank\/passbook#linked-services">連携サービス</);
      assert.match(page, /id="linked-services"/, 'the link lands on the section');
      assert.match(header, /action="\/bank\/logout".*ログアウト/s);
      assert.match(page, /すぐにご連絡ください: <strong>ふりかえ銀行 不正利用ダイヤル <a href="tel:0120-000-000">0120-000-000<\/a>/);
      assert.match(page, /普通預金 \d{3}支店 普通 \*\*\*\*\d{3}/);
    });

    test('the customer revokes a link from linked services and its credential stops charging at once', async () => {
      const { body } = await legacyLink(fixture);
      const revoke = await fixture.bank.app.inject({
        method: 'POST', url: `/bank/links/${body.link.id}/revoke`, cookies, headers: FORM_HEADERS, payload: formBody({ csrf: csrfOn((await passbook()).body) }),
      });
      assert.equal(revoke.statusCode, 302);
      const refused = await charge(fixture, body.link_token, { amount_yen: 100 }, 'p-2');
      assert.equal(refused.json().code, 'link_revoked');
      const [row] = await fixture.db.query<{ revoked_by: string }>(`SELECT revoked_by FROM links WHERE id = $1`, [body.link.id]);
      assert.equal(row?.revoked_by, `customer:${fixture.customer.id}`);
    });

    test('a revoke posted without the session’s CSRF token is refused and the link stays', async () => {
      const { body } = await legacyLink(fixture);
      const forged = await fixture.bank.app.inject({ method: 'POST', url: `/bank/links/${body.link.id}/revoke`, cookies, headers: FORM_HEADERS, payload: formBody({ csrf: 'forged' }) });
      assert.equal(forged.statusCode, 403);
      assert.match(forged.body, /フォームの有効期限が切れました/);
      const missing = await fixture.bank.app.inject({ method: 'POST', url: `/bank/links/${body.link.id}/revoke`, cookies, headers: FORM_HEADERS, payload: '' });
      assert.equal(missing.statusCode, 403, 'no token at all');
      // Another customer in the same browser (same secret cookie) cannot use a token made for hanako's session.
      await fixture.bank.services.core.openCustomer({
        name_kanji: '高橋 健太', name_kana: 'タカハシ ケンタ', birth_date: '1985-01-01', phone: '080-0000-1111', email: 'k@example.jp',
        address: '東京都', login_id: 'kenta', password: 'kenta password',
      });
      const other = await logInCustomer(fixture, 'kenta', 'kenta password', { furikae_csrf: cookies.furikae_csrf! });
      assert.equal(other.cookies.furikae_csrf, cookies.furikae_csrf, 'one browser, one secret');
      const lifted = await fixture.bank.app.inject({
        method: 'POST', url: `/bank/links/${body.link.id}/revoke`, cookies: other.cookies, headers: FORM_HEADERS, payload: formBody({ csrf: csrfOn((await passbook()).body) }),
      });
      assert.equal(lifted.statusCode, 403, 'a token bound to another session');
      assert.equal((await charge(fixture, body.link_token, { amount_yen: 100 }, 'p-3')).statusCode, 201);
    });

    test('a customer cannot revoke a link on someone else’s account', async () => {
      await fixture.bank.services.core.openCustomer({
        name_kanji: '佐藤 一郎', name_kana: 'サトウ イチロウ', birth_date: '1979-11-02', phone: '080-2345-6789', email: 'i@example.jp',
        address: '福島県', login_id: 'ichiro', password: 'another password',
      });
      const { cookies: ichiro } = await logInCustomer(fixture, 'ichiro', 'another password');
      const page = (await fixture.bank.app.inject({ url: '/bank/passbook', cookies: ichiro })).body;
      const { body } = await legacyLink(fixture);
      const before = await fixture.snapshot();
      const response = await fixture.bank.app.inject({ method: 'POST', url: `/bank/links/${body.link.id}/revoke`, cookies: ichiro, headers: FORM_HEADERS, payload: formBody({ csrf: csrfOn(page) }) });
      assert.equal(response.statusCode, 404);
      await fixture.assertNothingWritten(before, { message: 'the refused revoke wrote' });
      // Read back as the operator that owns it: the link is still active, and still charges.
      const owned = await fixture.bank.app.inject({ url: `/v1/links/${body.link.id}`, headers: { authorization: fixture.operator.basic } });
      assert.equal(owned.json().status, 'active');
      assert.equal((await charge(fixture, body.link_token, { amount_yen: 100 }, 'p-4')).statusCode, 201);
    });
  });
}
