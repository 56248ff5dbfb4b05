import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openSameDatabase, raceTest, testBackends } from '../testing/test-databases.ts';
import { freePort } from '../testing/free-port.ts';
import { createLogger } from '../shared/logger.ts';
import { startMailSink, type MailSink } from './mail-sink.ts';
import { createNoticeFixture, type NoticeFixture } from './notice-fixture.ts';
import { createSmtpMailChannel } from './smtp-mail-channel.ts';
import { enqueueChargeNotices } from './enqueue-charge-notices.ts';
import {
  createNotificationDispatcher, retryDelayMs, NOTICE_RETRY_DELAY_MS_BASE, NOTICE_RETRY_DELAY_MS_MAX,
} from './notification-dispatcher.ts';
import { PIN_FAILURES_PER_ACCOUNT_MAX } from '../throttle/credential-limits.ts';

interface Row { template: string; channel: string; status: string; attempts: number; next_attempt_at: Date; last_error: string | null; sent_at: Date | null }
const outbox = (fixture: NoticeFixture) =>
  fixture.db.query<Row>(`SELECT template, channel, status, attempts, next_attempt_at, last_error, sent_at FROM notification_outbox ORDER BY id`);
const emails = async (fixture: NoticeFixture) => (await outbox(fixture)).filter((row) => row.channel === 'email');

test(`the retry delay starts at ${NOTICE_RETRY_DELAY_MS_BASE / 1000} s, doubles, and stops growing at ${NOTICE_RETRY_DELAY_MS_MAX / 60_000} minutes`, () => {
  assert.deepEqual([1, 2, 3, 4].map(retryDelayMs), [10_000, 20_000, 40_000, 80_000]);
  assert.equal(retryDelayMs(9), 2_560_000);
  assert.equal(retryDelayMs(10), NOTICE_RETRY_DELAY_MS_MAX);
  assert.equal(retryDelayMs(1_000_000), NOTICE_RETRY_DELAY_MS_MAX);
  assert.throws(() => retryDelayMs(0));
});

for (const backend of testBackends) {
  describe(`the notification dispatcher on ${backend.name}`, { skip: backend.skip }, () => {
    let sink: MailSink;
    before(async () => {
      sink = await startMailSink({ refuse_recipients: ['gone@example.jp'] });
    });
    after(() => sink?.close());

    async function withFixture(options: { smtp_url?: string }, run: (fixture: NoticeFixture) => Promise<void>) {
      const fixture = await createNoticeFixture(await backend.open(), options);
      try {
        await run(fixture);
      } finally {
        await fixture.close();
        await fixture.db.close();
      }
    }

    test('a link and a charge reach the customer by real SMTP and SMS, delivery is recorded, and the latency is measured', async () => {
      sink.clear();
      await withFixture({ smtp_url: sink.url }, async (fixture) => {
        const { link_token } = await fixture.link();
        assert.equal((await fixture.charge(link_token, 12_345)).statusCode, 201);
        fixture.clock.advance(1500);
        assert.deepEqual(await fixture.bank.notices.dispatchOnce(), { claimed: 3, sent: 3, retrying: 0, failed: 0 });

        const mails = sink.messages(fixture.customer.email);
        assert.deepEqual(mails.map((m) => m.purpose).sort(), ['charge_succeeded', 'link_created']);
        const charge = mails.find((m) => m.purpose === 'charge_succeeded')!;
        assert.match(charge.subject, /^【ふりかえ銀行】¥12,345 の引き落としのお知らせ \/ ¥12,345 was charged to your account$/);
        assert.match(charge.from, /notices@furikae-bank\.example/);
        assert.ok(charge.text.indexOf('山田 花子 様') < charge.text.indexOf('English'), 'Japanese first, then English');
        assert.match(charge.text, /通帳の摘要: ドコモ口座/);
        assert.match(charge.text, /2026\/11\/10 10:00 \(JST\)/);
        assert.match(charge.text, /001支店 普通 \*\*\*\*567/);
        assert.match(charge.text, /http:\/\/bank\.test\/notices\/not-me\?token=/);
        const link = mails.find((m) => m.purpose === 'link_created')!;
        assert.match(link.text, /上限: 1回 ¥100,000 \/ 1か月 ¥300,000/);
        assert.match(link.text, /no two-step verification/);
        for (const mail of mails) {
          assert.doesNotMatch(mail.raw, /1234567/, 'no full account number');
          assert.doesNotMatch(mail.text, /4321/, 'no PIN');
          assert.ok(!mail.raw.includes(link_token), 'no link credential');
        }

        const [sms] = fixture.sms.messages(fixture.customer.phone);
        assert.equal(sms?.purpose, 'link_created');
        assert.match(sms!.text, /\*\*\*\*567/);
        assert.doesNotMatch(sms!.text, /https?:/, 'an SMS never carries a link');
        assert.doesNotMatch(sms!.text, /\b\d{6}\b/, 'nothing an OTP reader could mistake for a code');

        const rows = await outbox(fixture);
        assert.ok(rows.every((row) => row.status === 'sent' && row.attempts === 1 && row.sent_at?.getTime() === fixture.clock.now().getTime()));
        const latency = await fixture.bank.services.metrics.notificationLatency.get();
        const emailCount = latency.values.find((v) => v.metricName === 'furikae_notification_latency_seconds_count' && v.labels.channel === 'email');
        const emailSum = latency.values.find((v) => v.metricName === 'furikae_notification_latency_seconds_sum' && v.labels.channel === 'email');
        assert.equal(emailCount?.value, 2);
        assert.equal(emailSum?.value, 3, 'two e-mails, 1.5 s each from event to delivery');
        assert.equal((await fixture.bank.services.metrics.outboxLag.get()).values[0]?.value, 0);
        assert.deepEqual(await fixture.bank.notices.dispatchOnce(), { claimed: 0, sent: 0, retrying: 0, failed: 0 }, 'nothing is sent twice');
      });
    });

    test('with SMTP down the e-mails stay pending and back off 10, 20, 40 s; nothing is lost, and each goes out once when SMTP is back', async () => {
      const port = await freePort();
      await withFixture({ smtp_url: `smtp://127.0.0.1:${port}` }, async (fixture) => {
        const { link_token } = await fixture.link();
        await fixture.charge(link_token, 5000);
        const first = await fixture.bank.notices.dispatchOnce();
        assert.deepEqual(first, { claimed: 3, sent: 1, retrying: 2, failed: 0 }, 'the SMS goes; the e-mails wait');
        for (const row of await emails(fixture)) {
          assert.equal(row.status, 'pending');
          assert.equal(row.attempts, 1);
          assert.equal(row.next_attempt_at.getTime(), fixture.clock.now().getTime() + 10_000);
          assert.match(row.last_error ?? '', /ECONNREFUSED|ESOCKET|connect/i);
        }
        assert.equal((await fixture.bank.notices.dispatchOnce()).claimed, 0, 'not due before its back-off');
        for (const [wait, attempts, next] of [[10_000, 2, 20_000], [20_000, 3, 40_000]] as const) {
          fixture.clock.advance(wait - 1);
          assert.equal((await fixture.bank.notices.dispatchOnce()).claimed, 0, `not a millisecond before ${wait} ms`);
          fixture.clock.advance(1);
          assert.deepEqual(await fixture.bank.notices.dispatchOnce(), { claimed: 2, sent: 0, retrying: 2, failed: 0 });
          for (const row of await emails(fixture)) {
            assert.equal(row.attempts, attempts);
            assert.equal(row.next_attempt_at.getTime(), fixture.clock.now().getTime() + next);
          }
        }
        const lag = (await fixture.bank.services.metrics.outboxLag.get()).values[0]?.value;
        assert.equal(lag, 30, 'the outbox lag shows the oldest undelivered notice: 30 s');

        const upAgain = await startMailSink({ port });
        try {
          fixture.clock.advance(40_000);
          assert.deepEqual(await fixture.bank.notices.dispatchOnce(), { claimed: 2, sent: 2, retrying: 0, failed: 0 });
          fixture.clock.advance(NOTICE_RETRY_DELAY_MS_MAX);
          assert.equal((await fixture.bank.notices.dispatchOnce()).claimed, 0);
          assert.deepEqual(upAgain.messages().map((m) => m.purpose).sort(), ['charge_succeeded', 'link_created'], 'each e-mail exactly once');
          for (const row of await emails(fixture)) {
            assert.equal(row.status, 'sent');
            assert.equal(row.attempts, 4);
            assert.equal(row.last_error, null);
          }
        } finally {
          await upAgain.close();
        }
      });
    });

    test('a mailbox the server refuses for good (550) is marked failed with the reason and never retried; the SMS still goes', async () => {
      await withFixture({ smtp_url: sink.url }, async (fixture) => {
        await fixture.db.query(`UPDATE customers SET email = 'gone@example.jp' WHERE id = $1`, [fixture.customer.id]);
        await fixture.link();
        assert.deepEqual(await fixture.bank.notices.dispatchOnce(), { claimed: 2, sent: 1, retrying: 0, failed: 1 });
        const [email] = await emails(fixture);
        assert.equal(email?.status, 'failed');
        assert.match(email?.last_error ?? '', /550/);
        fixture.clock.advance(NOTICE_RETRY_DELAY_MS_MAX * 2);
        assert.equal((await fixture.bank.notices.dispatchOnce()).claimed, 0);
      });
    });

    test('without SMTP_URL the e-mails wait in the outbox, untried, while SMS notices still go', async () => {
      await withFixture({}, async (fixture) => {
        await fixture.link();
        assert.deepEqual(await fixture.bank.notices.dispatchOnce(), { claimed: 1, sent: 1, retrying: 0, failed: 0 });
        const [email] = await emails(fixture);
        assert.deepEqual([email?.status, email?.attempts], ['pending', 0]);
      });
    });

    test('a locked PIN is told by SMS at once and by e-mail through the outbox', async () => {
      sink.clear();
      await withFixture({ smtp_url: sink.url }, async (fixture) => {
        for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX; i++) {
          await fixture.bank.app.inject({
            method: 'POST', url: '/v1/links/legacy', headers: { authorization: fixture.operator.basic },
            payload: { branch_code: '001', account_number: '1234567', pin: String(1000 + i), name_kana: 'ヤマダ ハナコ', birth_date: '1948-03-15' },
          });
        }
        assert.equal(fixture.sms.messages(fixture.customer.phone).at(-1)?.purpose, 'credential_locked');
        await fixture.bank.notices.dispatchOnce();
        const [mail] = sink.messages(fixture.customer.email);
        assert.equal(mail?.purpose, 'credential_locked');
        assert.match(mail!.subject, /ロック/);
        assert.doesNotMatch(mail!.text, /not-me/, 'a security notice has no "not me" link: the customer calls');
      });
    });

    // PostgreSQL only: PGlite runs one transaction at a time, so two dispatchers' claims cannot overlap there.
    raceTest(backend, 'two dispatchers in two processes draining one outbox never send a notice twice', async () => {
      sink.clear();
      const db = await backend.open();
      const fixture = await createNoticeFixture(db, { smtp_url: sink.url });
      // A second process: its own connection pool to the same database.
      const otherDb = await openSameDatabase(db);
      const mail = createSmtpMailChannel({ smtp_url: sink.url, from: 'bank <notices@bank.test>' });
      try {
        const { link_id } = await fixture.link();
        // Notices written straight into the outbox, as 40 charge batches would: what the risk rules make of 40 quick
        // charges on a new link is not this test's business.
        const amounts = Array.from({ length: 40 }, (_, index) => 1000 + index);
        const ids = fixture.bank.services.ids;
        await enqueueChargeNotices(db, fixture.clock.now(), amounts.map((amount_yen) => ({
          notice_id: ids.next(), charge_id: ids.next(), link_id, account_id: fixture.customer.account_id,
          operator_name: 'ドコモ口座 (テスト)', passbook_label: 'ドコモ口座', amount_yen,
        })));
        const log = createLogger({ level: 'silent' });
        const common = { clock: fixture.clock, log, sms: fixture.sms, mail, tokens: fixture.bank.services.notMeTokens, public_url: 'http://bank.test', batch_max: 3 };
        const dispatchers = [createNotificationDispatcher({ ...common, db }), createNotificationDispatcher({ ...common, db: otherDb })];
        const claimedBy = [0, 0];
        await Promise.all(dispatchers.map(async (dispatcher, index) => {
          for (;;) {
            const { claimed } = await dispatcher.dispatchOnce();
            if (claimed === 0) return;
            claimedBy[index]! += claimed;
          }
        }));
        assert.equal(claimedBy[0]! + claimedBy[1]!, 42, 'each of 41 e-mails and 1 SMS claimed once in all');
        const charged = sink.messages(fixture.customer.email).filter((m) => m.purpose === 'charge_succeeded');
        const seen = charged.map((m) => Number(/¥([\d,]+) の引き落とし/.exec(m.subject)![1]!.replace(/,/g, ''))).sort((a, b) => a - b);
        assert.deepEqual(seen, amounts, 'every charge told exactly once');
        assert.equal(sink.messages(fixture.customer.email).filter((m) => m.purpose === 'link_created').length, 1);
        assert.equal(fixture.sms.messages(fixture.customer.phone).length, 1);
      } finally {
        await mail.close();
        await fixture.close();
        await otherDb.close();
        await db.close();
      }
    });
  });
}
