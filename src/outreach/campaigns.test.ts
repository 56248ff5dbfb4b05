import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createIncidentFixture, type IncidentFixture } from '../testing/incident-fixture.ts';
import { snapshotDatabase } from '../testing/database-snapshot.ts';
import { assertNothingWritten } from '../testing/refusal-may-write.ts';
import { insertLinkedCustomers } from '../testing/linked-customers.ts';
import { legacyLink } from '../testing/bank-fixture.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { startMailSink, type MailSink } from '../notify/mail-sink.ts';
import { createSmtpMailChannel } from '../notify/smtp-mail-channel.ts';
import { createNotificationDispatcher, NOTICE_CLAIM_LEASE_MS } from '../notify/notification-dispatcher.ts';
import { createCampaignNoticeSource } from './campaign-notice-source.ts';
import type { CampaignSegment } from './campaign.ts';

/** Asserts that `work` is refused with `code` and leaves every table exactly as it was. */
async function refusedWithNothingWritten(fixture: IncidentFixture, code: string, work: () => Promise<unknown>): Promise<void> {
  const before = await snapshotDatabase(fixture.db);
  await assert.rejects(work(), (error: unknown) => error instanceof FurikaeError && error.code === code, `expected ${code}`);
  assertNothingWritten(before, await snapshotDatabase(fixture.db), { message: `${code} wrote nothing` });
}

/** A dispatcher that sends campaign e-mails (and ordinary notices) to the sink, at `sends_per_second`. */
function campaignDispatcher(fixture: IncidentFixture, sink: MailSink, sends_per_second: number, batch_max?: number) {
  const { services } = fixture.bank;
  const mail = createSmtpMailChannel({ smtp_url: sink.url, from: 'ふりかえ銀行 <notices@furikae-bank.example>' });
  const dispatcher = createNotificationDispatcher({
    db: fixture.db, clock: fixture.clock, log: services.log, sms: services.sms, mail, tokens: services.notMeTokens, public_url: fixture.url,
    bulk: createCampaignNoticeSource({ db: fixture.db, clock: fixture.clock, log: services.log, sends_per_second }), ...(batch_max ? { batch_max } : {}),
  });
  return { dispatcher, close: () => mail.close() };
}

for (const backend of testBackends) {
  describe(`bulk outreach campaigns on ${backend.name}`, { skip: backend.skip }, () => {
    let sink: MailSink;
    before(async () => {
      sink = await startMailSink();
    });
    after(() => sink?.close());

    async function withFixture(run: (fixture: IncidentFixture) => Promise<void>) {
      sink.clear();
      const fixture = await createIncidentFixture(backend);
      try {
        await run(fixture);
      } finally {
        await fixture.close();
      }
    }

    test('a campaign to customers linked to an operator reaches each once, personalised, with no link, and completes with its counts', async () => {
      await withFixture(async (fixture) => {
        const { services } = fixture.bank;
        assert.equal((await legacyLink(fixture)).response.statusCode, 201);
        // A second operator linked to the same customer: the notice lists every linked service.
        const other = await services.operators.register({ display_name: 'PayPay (テスト)', passbook_label: 'PAYPAY', link_methods_allowed: ['legacy_pin'] });
        await fixture.db.query(`INSERT INTO links (id, operator_id, account_id, method, status, charge_yen_max, charges_yen_per_month_max, created_at)
          VALUES ($1, $2, $3, 'fapi2', 'revoked', 100000, 300000, $4)`, [services.ids.next(), other.operator.id, fixture.customer.account_id, fixture.clock.now()]);
        const emails = await insertLinkedCustomers(fixture.db, { count: 40, operator_id: fixture.operator.id, prefix: 'op', now: fixture.clock.now() });
        await insertLinkedCustomers(fixture.db, { count: 5, operator_id: other.operator.id, prefix: 'elsewhere', now: fixture.clock.now(), branch_code: '202' });

        const segment: CampaignSegment = { kind: 'operator', operator_id: fixture.operator.id };
        assert.equal(await services.campaigns.segmentSize(fixture.incident.id, segment), 41);
        const campaign = await services.campaigns.create({ incident_id: fixture.incident.id, segment,
          message_ja: 'ドコモ口座を通じた不正な引き落としが確認されました。', message_en: 'Fraudulent charges through Docomo account were found.' }, fixture.admin.id);
        assert.equal(campaign.status, 'enqueuing');
        assert.deepEqual(campaign.passbook_labels, ['ドコモ口座']);
        assert.deepEqual(await services.campaigns.enqueuePending(), [{ campaign_id: campaign.id, notices: 41 }]);
        assert.deepEqual(await services.campaigns.enqueuePending(), [], 'written once');

        const ids = await fixture.db.query<{ id: string }>(`SELECT id::text FROM notification_outbox WHERE campaign_id = $1`, [campaign.id]);
        assert.equal(ids.length, 41);
        assert.ok(ids.every(({ id }) => id[14] === '7'), 'UUIDv7 ids');
        const stamp = Number.parseInt(ids[0]!.id.replaceAll('-', '').slice(0, 12), 16);
        assert.equal(stamp, fixture.clock.now().getTime(), 'stamped with the injected clock');

        const { dispatcher, close } = campaignDispatcher(fixture, sink, 1_000);
        try {
          for (let pass = 0; pass < 5; pass++) {
            fixture.clock.advance(1_000);
            await dispatcher.dispatchOnce();
          }
        } finally {
          await close();
        }
        const progress = (await services.campaigns.progress(campaign.id))!;
        assert.equal(progress.campaign.status, 'completed');
        assert.deepEqual([progress.campaign.sent_count, progress.campaign.failed_count, progress.campaign.uncertain_count, progress.waiting, progress.sending], [41, 0, 0, 0, 0]);

        const received = sink.messages().filter((mail) => mail.purpose === 'campaign_notice');
        assert.equal(received.length, 41);
        assert.equal(new Set(received.map((mail) => mail.to)).size, 41, 'one each');
        assert.ok(emails.every((email) => sink.messages(email).length === 1));
        assert.equal(sink.messages('outreach-elsewhere-1@example.jp').length, 0, 'outside the segment');
        const hanako = sink.messages('hanako@example.jp')[0];
        assert.ok(hanako, 'the fixture customer is in the segment');
        assert.match(hanako.subject, /通帳・入出金明細のご確認のお願い \/ Please check your passbook/);
        assert.match(hanako.text, /山田 花子 様/);
        assert.match(hanako.text, /ドコモ口座を通じた不正な引き落としが確認されました。/);
        assert.match(hanako.text, /ドコモ口座 \(テスト\) \(通帳の摘要: ドコモ口座\) 口座: 001 普通 \*\*\*\*567 \[連携中\]/);
        assert.match(hanako.text, /PayPay \(テスト\) \(通帳の摘要: PAYPAY\) 口座: 001 普通 \*\*\*\*567 \[解除済み\]/);
        assert.match(hanako.text, /「ドコモ口座」/);
        assert.match(hanako.text, /0120-000-000/);
        for (const mail of received) {
          assert.doesNotMatch(mail.text, /https?:|www\./, 'no link');
          assert.doesNotMatch(mail.raw, /1234567/, 'no full account number');
        }
      });
    });

    test('ordinary notices go first and campaign e-mails only fill the room left, at the configured rate', async () => {
      await withFixture(async (fixture) => {
        const { services } = fixture.bank;
        await insertLinkedCustomers(fixture.db, { count: 100, operator_id: fixture.operator.id, prefix: 'rate', now: fixture.clock.now() });
        const campaign = await services.campaigns.create({ incident_id: fixture.incident.id, segment: { kind: 'operator', operator_id: fixture.operator.id } }, fixture.admin.id);
        await services.campaigns.enqueuePending();
        // 60 ordinary e-mails arrive after the campaign was written.
        await fixture.db.query(
          `INSERT INTO notification_outbox (id, created_at, customer_id, channel, template, data, next_attempt_at)
           SELECT gen_random_uuid(), $1, $2, 'email', 'second_factor_enrolled', '{"kind":"second_factor_enrolled","factor":"totp"}', $1 FROM generate_series(1, 60)`,
          [fixture.clock.now(), fixture.customer.id]);
        const { dispatcher, close } = campaignDispatcher(fixture, sink, 7, 50);
        try {
          fixture.clock.advance(1_000);
          assert.deepEqual(await dispatcher.dispatchOnce(), { claimed: 50, sent: 50, retrying: 0, failed: 0 });
          assert.equal(sink.messages().filter((mail) => mail.purpose === 'campaign_notice').length, 0, 'a full batch of ordinary notices leaves no room');
          assert.deepEqual(await dispatcher.dispatchOnce(), { claimed: 17, sent: 17, retrying: 0, failed: 0 }, '10 ordinary, then 7 campaign e-mails: one second of the rate');
          assert.equal((await dispatcher.dispatchOnce()).claimed, 0, 'no time passed: no tokens');
          fixture.clock.advance(500);
          assert.equal((await dispatcher.dispatchOnce()).claimed, 3, 'half a second: 3.5 tokens, 3 sent');
          fixture.clock.advance(60_000);
          assert.equal((await dispatcher.dispatchOnce()).claimed, 7, 'a long wait banks one second at most');
          // A new ordinary notice jumps the campaign queue at once.
          await fixture.db.query(
            `INSERT INTO notification_outbox (id, created_at, customer_id, channel, template, data, next_attempt_at)
             VALUES (gen_random_uuid(), $1, $2, 'email', 'second_factor_enrolled', '{"kind":"second_factor_enrolled","factor":"sms"}', $1)`,
            [fixture.clock.now(), fixture.customer.id]);
          const before = sink.messages().length;
          assert.equal((await dispatcher.dispatchOnce()).claimed, 1);
          assert.equal(sink.messages().slice(before)[0]?.purpose, 'second_factor_enrolled');
        } finally {
          await close();
        }
        const progress = (await services.campaigns.progress(campaign.id))!;
        assert.equal(progress.campaign.sent_count, 17);
        assert.equal(progress.waiting, 83);
      });
    });

    test('an admin pauses, resumes and cancels with a reason; the rest of a cancelled campaign is never sent; wrong moves change nothing', async () => {
      await withFixture(async (fixture) => {
        const { services } = fixture.bank;
        await insertLinkedCustomers(fixture.db, { count: 30, operator_id: fixture.operator.id, prefix: 'pause', now: fixture.clock.now() });
        const campaign = await services.campaigns.create({ incident_id: fixture.incident.id, segment: { kind: 'legacy_pin' } }, fixture.admin.id);
        await refusedWithNothingWritten(fixture, 'campaign_status_invalid', () => services.campaigns.move(campaign.id, 'pause', fixture.admin.id, 'not yet written'));
        await services.campaigns.enqueuePending();
        const { dispatcher, close } = campaignDispatcher(fixture, sink, 10);
        try {
          fixture.clock.advance(1_000);
          assert.equal((await dispatcher.dispatchOnce()).claimed, 10);
          await refusedWithNothingWritten(fixture, 'staff_role_insufficient', () => services.campaigns.move(campaign.id, 'pause', fixture.analyst.id, 'analysts may not'));
          await refusedWithNothingWritten(fixture, 'staff_reason_invalid', () => services.campaigns.move(campaign.id, 'pause', fixture.admin.id, ' '));
          await refusedWithNothingWritten(fixture, 'campaign_status_invalid', () => services.campaigns.move(campaign.id, 'resume', fixture.admin.id, 'it is running'));
          await refusedWithNothingWritten(fixture, 'campaign_not_found', () => services.campaigns.move(services.ids.next(), 'pause', fixture.admin.id, 'no such campaign'));
          assert.equal((await services.campaigns.move(campaign.id, 'pause', fixture.admin.id, 'コールセンターの混雑 Call centre overloaded')).status, 'paused');
          fixture.clock.advance(1_000);
          assert.equal((await dispatcher.dispatchOnce()).claimed, 0, 'paused: nothing sent');
          assert.equal((await services.campaigns.move(campaign.id, 'resume', fixture.admin.id, 'staffed again')).status, 'running');
          fixture.clock.advance(1_000);
          assert.equal((await dispatcher.dispatchOnce()).claimed, 10);
          assert.equal((await services.campaigns.move(campaign.id, 'cancel', fixture.admin.id, '文面の誤り Wrong wording')).status, 'cancelled');
          await refusedWithNothingWritten(fixture, 'campaign_status_invalid', () => services.campaigns.move(campaign.id, 'cancel', fixture.admin.id, 'again'));
          fixture.clock.advance(1_000);
          assert.equal((await dispatcher.dispatchOnce()).claimed, 0, 'cancelled: nothing more sent');
        } finally {
          await close();
        }
        const progress = (await services.campaigns.progress(campaign.id))!;
        assert.deepEqual([progress.campaign.status, progress.campaign.sent_count, progress.campaign.cancelled_count, progress.waiting], ['cancelled', 20, 10, 0]);
        assert.equal(sink.messages().filter((mail) => mail.purpose === 'campaign_notice').length, 20);
        const audited = (await services.audit.list({ subject: campaign.id })).map((entry) => [entry.action, entry.reason]).reverse();
        assert.deepEqual(audited.map(([action]) => action), ['campaign.create', 'campaign.pause', 'campaign.resume', 'campaign.cancel']);
        assert.equal(audited[3]![1], '文面の誤り Wrong wording');
      });
    });

    test('bad campaigns are refused and change nothing: an empty segment, an unknown operator, scan or incident, a link in the message, a non-admin, a closed incident', async () => {
      await withFixture(async (fixture) => {
        const { services } = fixture.bank;
        const incident_id = fixture.incident.id;
        const lonely = await services.operators.register({ display_name: 'Kyash (テスト)', passbook_label: 'キャッシュ' });
        const create = (segment: CampaignSegment, overrides: Partial<{ incident_id: string; message_ja: string; by: string }> = {}) =>
          services.campaigns.create({ incident_id: overrides.incident_id ?? incident_id, segment, ...(overrides.message_ja ? { message_ja: overrides.message_ja } : {}) }, overrides.by ?? fixture.admin.id);
        await refusedWithNothingWritten(fixture, 'campaign_segment_empty', () => create({ kind: 'operator', operator_id: lonely.operator.id }));
        await refusedWithNothingWritten(fixture, 'campaign_segment_empty', () => create({ kind: 'legacy_pin' }));
        await refusedWithNothingWritten(fixture, 'operator_not_found', () => create({ kind: 'operator', operator_id: services.ids.next() }));
        await refusedWithNothingWritten(fixture, 'operator_not_found', () => create({ kind: 'operator', operator_id: 'not-a-uuid' }));
        await refusedWithNothingWritten(fixture, 'scan_not_found', () => create({ kind: 'scan', scan_id: services.ids.next() }));
        await refusedWithNothingWritten(fixture, 'incident_not_found', () => create({ kind: 'legacy_pin' }, { incident_id: services.ids.next() }));
        assert.equal((await legacyLink(fixture)).response.statusCode, 201);
        await refusedWithNothingWritten(fixture, 'campaign_message_invalid', () => create({ kind: 'legacy_pin' }, { message_ja: '詳しくは https://furikae-bank.example/check をご覧ください' }));
        await refusedWithNothingWritten(fixture, 'staff_role_insufficient', () => create({ kind: 'legacy_pin' }, { by: fixture.analyst.id }));
        await refusedWithNothingWritten(fixture, 'staff_role_insufficient', () => create({ kind: 'legacy_pin' }, { by: fixture.viewer.id }));
        for (const to of ['contained', 'remediated', 'closed'] as const) await services.incidents.advance(incident_id, to, fixture.admin.id);
        await refusedWithNothingWritten(fixture, 'incident_closed', () => create({ kind: 'legacy_pin' }));
      });
    });

    test('a sender that dies mid-send leaves its claimed notices uncertain: never resent, counted, and the campaign still completes', async () => {
      await withFixture(async (fixture) => {
        const { services } = fixture.bank;
        await insertLinkedCustomers(fixture.db, { count: 12, operator_id: fixture.operator.id, prefix: 'dies', now: fixture.clock.now() });
        const campaign = await services.campaigns.create({ incident_id: fixture.incident.id, segment: { kind: 'operator', operator_id: fixture.operator.id } }, fixture.admin.id);
        await services.campaigns.enqueuePending();
        // A sender claims five and is never heard from again.
        const dead = createCampaignNoticeSource({ db: fixture.db, clock: fixture.clock, log: services.log, sends_per_second: 5 });
        fixture.clock.advance(1_000);
        assert.equal((await dead.claim(50)).length, 5);
        assert.equal((await services.campaigns.progress(campaign.id))!.sending, 5);
        const { dispatcher, close } = campaignDispatcher(fixture, sink, 100);
        try {
          fixture.clock.advance(1_000);
          assert.equal((await dispatcher.dispatchOnce()).claimed, 7, 'the other seven go; the five stay with their lease');
          fixture.clock.advance(NOTICE_CLAIM_LEASE_MS);
          assert.equal((await dispatcher.dispatchOnce()).claimed, 0, 'after the lease they are uncertain, not resent');
        } finally {
          await close();
        }
        const progress = (await services.campaigns.progress(campaign.id))!;
        assert.deepEqual([progress.campaign.status, progress.campaign.sent_count, progress.campaign.uncertain_count, progress.sending, progress.waiting], ['completed', 7, 5, 0, 0]);
        const uncertain = await fixture.db.query<{ last_error: string }>(`SELECT last_error FROM notification_outbox WHERE status = 'uncertain'`);
        assert.equal(uncertain.length, 5);
        assert.match(uncertain[0]!.last_error, /may or may not have been delivered/);
      });
    });
  });
}
