import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { CONSENT_REMINDER_WINDOW_DAYS, remindExpiringConsents } from './consent-reminders.ts';
import { renderEmail } from '../notify/notice-templates.ts';
import { noticeOf, type OutboxRow } from '../notify/notice.ts';
import { insertConsentedLinkRow } from '../testing/consented-link-row.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

for (const backend of testBackends) {
  describe(`consent reminders on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let operator_id: string;
    let other_operator_id: string;

    before(async () => {
      fixture = await createBankFixture(backend, { notice_polling: false, waiting_charge_jobs: false });
      const { operators, webhooks } = fixture.bank.services;
      operator_id = (await operators.register({ display_name: 'セキュア・ペイ', passbook_label: 'セキュアペイ', link_methods_allowed: ['fapi2'] })).operator.id;
      other_operator_id = (await operators.register({ display_name: 'ミニ・ペイ', passbook_label: 'ミニペイ', link_methods_allowed: ['fapi2'] })).operator.id;
      await webhooks.register(operator_id, 'http://127.0.0.1:9/hooks');
    });
    after(() => fixture?.close());
    beforeEach(async () => {
      await fixture.db.query(`DELETE FROM webhook_deliveries`);
      await fixture.db.query(`DELETE FROM notification_outbox`);
      await fixture.db.query(`UPDATE links SET status = 'revoked' WHERE status <> 'revoked'`);
    });

    /** A FAPI link of the fixture customer whose consent ends `days` from now (or at `ends`). */
    async function fapiLink(days: number, { status = 'active', method = 'fapi2', operator = operator_id }: { status?: string; method?: string; operator?: string } = {}) {
      const now = fixture.clock.now();
      return insertConsentedLinkRow(fixture.db, {
        operator_id: operator, account_id: fixture.customer.account_id, created_at: now, consent_expires_at: new Date(now.getTime() + days * DAY_MS), method, status,
      });
    }

    const remind = () => remindExpiringConsents(fixture.db, { clock: fixture.clock, ids: fixture.bank.services.ids });
    const outbox = () => fixture.db.query<OutboxRow>(`SELECT * FROM notification_outbox WHERE template = 'consent_expiring' ORDER BY created_at, id`);
    const deliveries = () => fixture.db.query<{ operator_id: string; event_type: string; body: string }>(
      `SELECT operator_id, event_type, body FROM webhook_deliveries WHERE event_type = 'link.consent_expiring'`);

    test('a link whose consent ends in 15 days is not reminded; at 14 days it is', async () => {
      assert.equal(CONSENT_REMINDER_WINDOW_DAYS, 14);
      const fifteen = await fapiLink(15);
      const fourteen = await fapiLink(14);
      assert.equal(await remind(), 1);
      assert.deepEqual((await outbox()).map((row) => (row.data as { link_id: string }).link_id), [fourteen]);
      fixture.clock.advance(DAY_MS);
      assert.equal(await remind(), 1, 'a day later the other link enters the window');
      assert.deepEqual((await outbox()).map((row) => (row.data as { link_id: string }).link_id), [fourteen, fifteen]);
    });

    test('a consent is reminded once: a second run writes no notice and no webhook', async () => {
      await fapiLink(3);
      assert.equal(await remind(), 1);
      fixture.clock.advance(60 * 60 * 1000);
      assert.equal(await remind(), 0);
      assert.equal((await outbox()).length, 1);
      assert.equal((await deliveries()).length, 1);
    });

    test('revoked, frozen, legacy and already expired links are not reminded', async () => {
      await fapiLink(5, { status: 'revoked' });
      await fapiLink(5, { status: 'frozen' });
      await fapiLink(5, { method: 'legacy_pin' });
      await fapiLink(-1);
      assert.equal(await remind(), 0);
      assert.equal((await outbox()).length, 0);
      assert.equal((await deliveries()).length, 0);
    });

    test('a renewed consent is reminded again before its new end, once', async () => {
      const id = await fapiLink(10);
      assert.equal(await remind(), 1);
      // A renewal moves consent_expires_at (src/linking/renew-consent.ts): a new consent period.
      await fixture.db.query(`UPDATE links SET consent_expires_at = $2 WHERE id = $1`, [id, new Date(fixture.clock.now().getTime() + 180 * DAY_MS)]);
      assert.equal(await remind(), 0, 'the new period is not within the window yet');
      fixture.clock.advance((180 - 13) * DAY_MS);
      assert.equal(await remind(), 1);
      assert.equal(await remind(), 0);
      assert.equal((await outbox()).length, 2);
    });

    test('the e-mail names the operator, the account, the end of the consent and how to renew, and warns that the bank never asks for codes by phone', async () => {
      await fapiLink(7);
      await remind();
      const [row] = await outbox();
      assert.equal(row!.channel, 'email');
      assert.equal(row!.customer_id, fixture.customer.id);
      const { subject, text } = renderEmail(noticeOf(row!), { customer_name: '山田 花子' });
      assert.match(subject, /セキュア・ペイ/);
      assert.match(text, /001支店 普通 \*\*\*\*567/);
      assert.doesNotMatch(text, /1234567/, 'never the full account number');
      const ends = new Date(fixture.clock.now().getTime() + 7 * DAY_MS);
      const jst = new Date(ends.getTime() + 9 * 60 * 60 * 1000).toISOString();
      assert.ok(text.includes(`${jst.slice(0, 10).replaceAll('-', '/')} ${jst.slice(11, 16)} (JST)`), text);
      assert.match(text, /セキュア・ペイのアプリで口座連携の「更新」/);
      assert.match(text, /renew" for your bank link in the セキュア・ペイ app/);
      assert.match(text, /電話やメールで認証コードをお尋ねすることはありません/);
      assert.match(text, /never asks for your codes by phone/);
      assert.doesNotMatch(text, /https?:\/\//, 'a reminder carries no link to click');
    });

    test('the operator is told by a link.consent_expiring webhook with the link and its consent_expires_at; an operator without a webhook gets none', async () => {
      const id = await fapiLink(2);
      await fapiLink(2, { operator: other_operator_id });
      assert.equal(await remind(), 2);
      const sent = await deliveries();
      assert.equal(sent.length, 1);
      assert.equal(sent[0]!.operator_id, operator_id);
      const body = JSON.parse(sent[0]!.body);
      assert.equal(body.type, 'link.consent_expiring');
      const [link] = await fixture.db.query<{ consent_expires_at: Date }>(`SELECT consent_expires_at FROM links WHERE id = $1`, [id]);
      assert.deepEqual(body.data, { link: { id, consent_expires_at: link!.consent_expires_at.toISOString() } });
    });

    test('a batch larger than one statement claims is reminded whole, each link once', async () => {
      for (let index = 0; index < 5; index += 1) await fapiLink(1 + index);
      assert.equal(await remindExpiringConsents(fixture.db, { clock: fixture.clock, ids: fixture.bank.services.ids }, 2), 5);
      assert.equal(new Set((await outbox()).map((row) => (row.data as { link_id: string }).link_id)).size, 5);
      assert.equal((await outbox()).length, 5);
    });

    test('two processes reminding at once remind each link once', async () => {
      for (let index = 0; index < 20; index += 1) await fapiLink(1 + (index % 10));
      const [first, second] = await Promise.all([
        remindExpiringConsents(fixture.db, { clock: fixture.clock, ids: fixture.bank.services.ids }, 3),
        remindExpiringConsents(fixture.db, { clock: fixture.clock, ids: fixture.bank.services.ids }, 3),
      ]);
      assert.equal(first + second, 20);
      assert.equal((await outbox()).length, 20);
      assert.equal((await deliveries()).length, 20);
    });
  });
}
