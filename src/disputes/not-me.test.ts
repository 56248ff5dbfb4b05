import { describe, test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { openSameDatabase, raceTest, testBackends } from '../testing/test-databases.ts';
import { snapshotDatabase } from '../testing/database-snapshot.ts';
import { assertNothingWritten } from '../testing/refusal-may-write.ts';
import { startMailSink, type MailSink } from '../notify/mail-sink.ts';
import { confirmNotMe, cookiesOf, createNoticeFixture, hiddenValue, notMePath, NOTICE_FIXTURE_NOT_ME_KEY, type NoticeFixture } from '../notify/notice-fixture.ts';
import { createNotMeTokens, NOT_ME_TOKEN_TTL_SECONDS } from '../notify/not-me-token.ts';
import { ManualClock } from '../shared/clock.ts';
import { formatJapanDateTime } from '../shared/japan-time.ts';

const counts = async (fixture: NoticeFixture) =>
  (await fixture.db.query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM not_me_reports) AS reports, (SELECT count(*)::int FROM cases) AS cases,
            (SELECT count(*)::int FROM alerts) AS alerts, (SELECT count(*)::int FROM links WHERE status = 'frozen') AS frozen`,
  ))[0]!;

const linkStatus = async (fixture: NoticeFixture, link_id: string) =>
  (await fixture.db.query<{ status: string }>(`SELECT status FROM links WHERE id = $1`, [link_id]))[0]!.status;

for (const backend of testBackends) {
  describe(`"this wasn't me" on ${backend.name}`, { skip: backend.skip }, () => {
    let sink: MailSink;
    let fixture: NoticeFixture;

    before(async () => {
      sink = await startMailSink();
    });
    after(() => sink?.close());
    beforeEach(async () => {
      sink.clear();
      fixture = await createNoticeFixture(await backend.open(), { smtp_url: sink.url });
    });
    afterEach(async () => {
      await fixture.close();
      await fixture.db.close();
    });

    /** Opens the link as a person would: the GET that only asks. */
    const open = (path: string) => fixture.bank.app.inject({ method: 'GET', url: path });

    const confirm = (path: string) => confirmNotMe(fixture.bank.app, path);

    /** Links, charges ¥5,000, sends the outbox and returns the charge mail's "not me" path. */
    async function chargedAndMailed() {
      const { link_id, link_token } = await fixture.link();
      const charged = await fixture.charge(link_token, 5000);
      assert.equal(charged.statusCode, 201);
      const result = await fixture.bank.notices.dispatchOnce();
      assert.equal(result.failed + result.retrying, 0);
      const mail = sink.messages(fixture.customer.email).find((m) => m.purpose === 'charge_succeeded');
      assert.ok(mail, 'the charge mail arrived at the SMTP sink');
      return { link_id, link_token, mail, charge_id: charged.json().id as string };
    }

    test('a real e-mail through SMTP carries a "not me" link that freezes the link, and the next charge is refused', async () => {
      const { link_id, link_token, mail, charge_id } = await chargedAndMailed();
      assert.match(mail.subject, /¥5,000/);
      assert.match(mail.text, /ドコモ口座/);

      const page = await confirm(notMePath(mail.text));
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /data-result="frozen"/);
      assert.match(page.body, /0120-000-000/);
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
      assert.equal(await linkStatus(fixture, link_id), 'frozen');

      const refused = await fixture.charge(link_token, 1000);
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().code, 'link_frozen');

      const read = await fixture.bank.app.inject({ method: 'GET', url: `/v1/links/${link_id}`, headers: { authorization: fixture.operator.basic } });
      assert.equal(read.json().status, 'frozen', 'the operator sees the link frozen');

      const [dispute] = await fixture.bank.services.cases.listCases({ customer_id: fixture.customer.id });
      assert.equal(dispute?.kind, 'dispute');
      assert.equal(dispute?.opened_by, 'customer');
      assert.equal(dispute?.link_id, link_id);
      assert.deepEqual(dispute?.charge_ids, [charge_id]);
      const [alert] = await fixture.bank.services.cases.listAlerts({ customer_id: fixture.customer.id });
      assert.equal(alert?.kind, 'not_me');
      assert.equal(alert?.severity, 'high');
      assert.equal(alert?.case_id, dispute?.id);
      assert.match(page.body, new RegExp(dispute!.id.slice(-12).toUpperCase()));
    });

    test('a link notice\'s "not me" link freezes the link before any charge, and its case names no charge', async () => {
      const { link_id, link_token } = await fixture.link();
      await fixture.bank.notices.dispatchOnce();
      const mail = sink.messages(fixture.customer.email).find((m) => m.purpose === 'link_created')!;
      assert.equal((await confirm(notMePath(mail.text))).statusCode, 200);
      assert.equal((await fixture.charge(link_token, 1000)).json().code, 'link_frozen');
      const [dispute] = await fixture.bank.services.cases.listCases({ customer_id: fixture.customer.id });
      assert.equal(dispute?.link_id, link_id);
      assert.deepEqual(dispute?.charge_ids, []);
    });

    test('opening the link shows the operator, the amount in yen, the time in Japan time and the account, asks to confirm, and changes nothing', async () => {
      const { link_id, link_token, mail, charge_id } = await chargedAndMailed();
      const [{ charged_at }] = await fixture.db.query<{ charged_at: Date }>(`SELECT created_at AS charged_at FROM charges WHERE id = $1`, [charge_id]) as [{ charged_at: Date }];
      const before = await snapshotDatabase(fixture.db);
      for (const purpose of ['a mail scanner', 'a link preview', 'the customer']) {
        const page = await open(notMePath(mail.text));
        assert.equal(page.statusCode, 200, purpose);
        assert.match(page.body, /id="not-me-operator">ドコモ口座 \(テスト\)</);
        assert.match(page.body, /id="not-me-amount">¥5,000</);
        assert.match(page.body, new RegExp(`<td>${formatJapanDateTime(charged_at).replace(/[()]/g, '\\$&')}</td>`), 'the charge time, in Japan time');
        assert.match(page.body, /id="not-me-account">001支店 普通 \*{4}567</);
        assert.match(page.body, /<form method="post" action="\/notices\/not-me" id="not-me-confirm">/);
        assert.doesNotMatch(page.body, /id="not-me-result"/, 'nothing is reported yet');
        assert.equal(page.headers['referrer-policy'], 'no-referrer');
        assert.equal(page.headers['cache-control'], 'no-store');
      }
      assertNothingWritten(before, await snapshotDatabase(fixture.db));
      assert.equal(await linkStatus(fixture, link_id), 'active');
      assert.equal((await fixture.charge(link_token, 1000)).statusCode, 201, 'the link still charges after any number of GETs');
    });

    test('a confirmation without a form token, with a forged one or without its cookie is refused and changes nothing', async () => {
      const { link_id, mail } = await chargedAndMailed();
      const page = await open(notMePath(mail.text));
      const token = hiddenValue(page.body, 'token')!;
      const csrf = hiddenValue(page.body, 'csrf')!;
      const forged = `${csrf.slice(0, -4)}${csrf.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      const before = await snapshotDatabase(fixture.db);
      const attempts: { what: string; headers: Record<string, string>; payload: Record<string, string> }[] = [
        { what: 'no form token', headers: { cookie: cookiesOf(page) }, payload: { token } },
        { what: 'a forged form token', headers: { cookie: cookiesOf(page) }, payload: { csrf: forged, token } },
        { what: 'the token without its cookie (another site posting)', headers: {}, payload: { csrf, token } },
        { what: 'an oversized form token', headers: { cookie: cookiesOf(page) }, payload: { csrf: 'x'.repeat(5000), token } },
      ];
      for (const attempt of attempts) {
        const refused = await fixture.bank.app.inject({ method: 'POST', url: '/notices/not-me', headers: attempt.headers, payload: attempt.payload });
        assert.equal(refused.statusCode, 403, attempt.what);
        assert.match(refused.body, /data-result="form-expired"/, attempt.what);
        assert.match(refused.body, /何も変更していません/, attempt.what);
      }
      assertNothingWritten(before, await snapshotDatabase(fixture.db));
      assert.equal(await linkStatus(fixture, link_id), 'active');
    });

    test('opening the link again after reporting shows "already reported" with the case number, and changes nothing', async () => {
      const { mail } = await chargedAndMailed();
      const first = await confirm(notMePath(mail.text));
      const case_number = /id="case-number">([0-9A-F]{12})</.exec(first.body)?.[1];
      assert.ok(case_number, 'the first answer gives a case number');
      const before = await snapshotDatabase(fixture.db);
      const again = await open(notMePath(mail.text));
      assert.equal(again.statusCode, 200);
      assert.match(again.body, /data-result="already-reported"/);
      assert.match(again.body, /すでにご報告いただいています/);
      assert.match(again.body, new RegExp(`id="case-number">${case_number}<`));
      assert.doesNotMatch(again.body, /class="error"/);
      assert.doesNotMatch(again.body, /<form method="post"/, 'nothing left to confirm');
      assertNothingWritten(before, await snapshotDatabase(fixture.db));
    });

    test('a second confirmation (a second tab, a double click) shows the first report\'s case and adds nothing', async () => {
      const { mail } = await chargedAndMailed();
      const path = notMePath(mail.text);
      const page = await open(path);
      const post = () => fixture.bank.app.inject({
        method: 'POST', url: '/notices/not-me', headers: { cookie: cookiesOf(page) },
        payload: { csrf: hiddenValue(page.body, 'csrf')!, token: hiddenValue(page.body, 'token')! },
      });
      const first = await post();
      assert.match(first.body, /data-result="frozen"/);
      const before = await snapshotDatabase(fixture.db);
      const second = await post();
      assert.equal(second.statusCode, 200);
      assert.match(second.body, /data-result="already-reported"/);
      assert.equal(/id="case-number">(\w+)</.exec(second.body)?.[1], /id="case-number">(\w+)</.exec(first.body)?.[1]);
      assertNothingWritten(before, await snapshotDatabase(fixture.db));
      assert.deepEqual(await counts(fixture), { reports: 1, cases: 1, alerts: 1, frozen: 1 });
    });

    // PostgreSQL only: PGlite runs one transaction at a time, so the two clicks' transactions cannot overlap there.
    raceTest(backend, 'two confirmations at once, reaching two bank processes: exactly one report, case and alert, and one page says already reported', async () => {
      const { mail } = await chargedAndMailed();
      const otherDb = await openSameDatabase(fixture.db);
      const other = await createNoticeFixture(otherDb, { existing: fixture });
      try {
        const page = await open(notMePath(mail.text));
        const payload = { csrf: hiddenValue(page.body, 'csrf')!, token: hiddenValue(page.body, 'token')! };
        const pages = await Promise.all([fixture, other].map((bank) =>
          bank.bank.app.inject({ method: 'POST', url: '/notices/not-me', headers: { cookie: cookiesOf(page) }, payload })));
        assert.deepEqual(pages.map((p) => /data-result="([a-z-]+)"/.exec(p.body)?.[1]).sort(), ['already-reported', 'frozen']);
        assert.deepEqual(await counts(fixture), { reports: 1, cases: 1, alerts: 1, frozen: 1 });
      } finally {
        await other.close();
        await otherDb.close();
      }
    });

    test(`a "not me" link works until ${NOT_ME_TOKEN_TTL_SECONDS / 86_400} days after its notice and then shows not_me_token_expired`, async () => {
      const { link_id, mail } = await chargedAndMailed();
      const opened = await open(notMePath(mail.text));
      fixture.clock.advance(NOT_ME_TOKEN_TTL_SECONDS * 1000);
      const before = await snapshotDatabase(fixture.db);
      const expired = await fixture.bank.app.inject({ method: 'GET', url: notMePath(mail.text) });
      assert.equal(expired.statusCode, 410);
      assert.match(expired.body, /data-code="not_me_token_expired"/);
      const confirmedLate = await fixture.bank.app.inject({
        method: 'POST', url: '/notices/not-me', headers: { cookie: cookiesOf(opened) },
        payload: { csrf: hiddenValue(opened.body, 'csrf')!, token: hiddenValue(opened.body, 'token')! },
      });
      assert.equal(confirmedLate.statusCode, 410, 'a page opened in time and confirmed too late is refused too');
      assert.match(confirmedLate.body, /data-code="not_me_token_expired"/);
      assert.equal(await linkStatus(fixture, link_id), 'active');
      assertNothingWritten(before, await snapshotDatabase(fixture.db));
      fixture.clock.advance(-1000);
      assert.equal((await fixture.bank.app.inject({ method: 'GET', url: notMePath(mail.text) })).statusCode, 200, 'one second earlier it still worked');
    });

    test('a tampered, foreign-key, truncated, missing or oversized token, opened or confirmed, shows not_me_token_invalid and changes nothing', async () => {
      const { link_id, mail } = await chargedAndMailed();
      const path = notMePath(mail.text);
      const token = new URL(path, 'http://bank.test').searchParams.get('token')!;
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      const otherNotice = { ...claims, jti: '01900000-0000-7000-8000-000000000000' };
      const foreign = await createNotMeTokens({ key: 'another-bank-key-0123456789abcdef-xyz', clock: new ManualClock(fixture.clock.now()) })
        .sign({ id: claims.jti, created_at: fixture.clock.now() });
      const unknownNotice = await createNotMeTokens({ key: NOTICE_FIXTURE_NOT_ME_KEY, clock: fixture.clock })
        .sign({ id: '01900000-0000-7000-8000-000000000000', created_at: fixture.clock.now() });
      const before = await snapshotDatabase(fixture.db);
      const bad = [
        `${header}.${Buffer.from(JSON.stringify(otherNotice)).toString('base64url')}.${signature}`,
        `${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`,
        foreign,
        unknownNotice,
        `${Buffer.from('{"alg":"none","typ":"not-me+jwt"}').toString('base64url')}.${payload}.`,
        token.slice(0, 40),
        '',
        'x'.repeat(3000),
      ];
      for (const candidate of bad) {
        const page = await fixture.bank.app.inject({ method: 'GET', url: `/notices/not-me?token=${encodeURIComponent(candidate)}` });
        assert.equal(page.statusCode, 400, candidate.slice(0, 60));
        assert.match(page.body, /data-code="not_me_token_invalid"/);
      }
      const bare = await fixture.bank.app.inject({ method: 'GET', url: '/notices/not-me' });
      assert.equal(bare.statusCode, 400);
      // A genuine page's form token does not make a bad notice token good: the POST checks it again.
      const page = await open(path);
      for (const candidate of [...bad, undefined]) {
        const posted = await fixture.bank.app.inject({
          method: 'POST', url: '/notices/not-me', headers: { cookie: cookiesOf(page) },
          payload: { csrf: hiddenValue(page.body, 'csrf')!, ...(candidate === undefined ? {} : { token: candidate }) },
        });
        assert.equal(posted.statusCode, 400, `POST ${String(candidate).slice(0, 60)}`);
        assert.match(posted.body, /data-code="not_me_token_invalid"/);
      }
      assert.equal(await linkStatus(fixture, link_id), 'active');
      assertNothingWritten(before, await snapshotDatabase(fixture.db));
    });

    test('"not me" on a link the operator already revoked keeps it revoked, still opens a case and says it was already stopped', async () => {
      const { link_id, mail } = await chargedAndMailed();
      await fixture.bank.services.links.revoke(fixture.operator.id, link_id, 'operator:test');
      const page = await confirm(notMePath(mail.text));
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /data-result="already-revoked"/);
      assert.equal(await linkStatus(fixture, link_id), 'revoked');
      assert.deepEqual(await counts(fixture), { reports: 1, cases: 1, alerts: 1, frozen: 0 });
    });
  });
}
