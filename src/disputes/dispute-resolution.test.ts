import { describe, test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { startMailSink, type MailSink } from '../notify/mail-sink.ts';
import { confirmNotMe, createNoticeFixture, notMePath, type NoticeFixture } from '../notify/notice-fixture.ts';
import { snapshotDatabase } from '../testing/database-snapshot.ts';
import { assertNothingWritten } from '../testing/refusal-may-write.ts';

const linkRow = async (fixture: NoticeFixture, link_id: string) =>
  (await fixture.db.query<{ status: string; revoked_by: string | null; frozen_at: Date | null }>(
    `SELECT status, revoked_by, frozen_at FROM links WHERE id = $1`, [link_id]))[0]!;

for (const backend of testBackends) {
  describe(`resolving a "this wasn't me" dispute on ${backend.name}`, { skip: backend.skip }, () => {
    let sink: MailSink;
    let fixture: NoticeFixture;
    let analyst: { id: string };

    before(async () => {
      sink = await startMailSink();
    });
    after(() => sink?.close());
    beforeEach(async () => {
      sink.clear();
      fixture = await createNoticeFixture(await backend.open(), { smtp_url: sink.url });
      analyst = await fixture.bank.services.staff.create({ login_id: 'sato', display_name: '佐藤', password: 'analyst-password', role: 'analyst' });
    });
    afterEach(async () => {
      await fixture.close();
      await fixture.db.close();
    });

    /** Links and charges, then follows the charge mail's "not me" link and confirms: the link is frozen and a dispute case is open. */
    async function frozenDispute() {
      const { link_id, link_token } = await fixture.link();
      assert.equal((await fixture.charge(link_token, 5000)).statusCode, 201);
      await fixture.bank.notices.dispatchOnce();
      const mail = sink.messages(fixture.customer.email).find((m) => m.purpose === 'charge_succeeded');
      assert.ok(mail);
      assert.equal((await confirmNotMe(fixture.bank.app, notMePath(mail.text))).statusCode, 200);
      assert.equal((await linkRow(fixture, link_id)).status, 'frozen');
      const [dispute] = await fixture.bank.services.cases.listCases({ customer_id: fixture.customer.id });
      assert.equal(dispute?.link_id, link_id);
      return { link_id, link_token, case_id: dispute!.id };
    }

    const lastAudit = async () =>
      (await fixture.db.query<{ action: string; details: Record<string, unknown> }>(`SELECT action, details FROM audit_log ORDER BY seq DESC LIMIT 1`))[0]!;

    test('resolved as legitimate, the customer’s freeze is lifted and the link charges again; the audit entry says so', async () => {
      const { link_id, link_token, case_id } = await frozenDispute();
      assert.equal(await fixture.bank.services.cases.resolve(case_id, 'legitimate', analyst.id, 'customer’s spouse paid; called back'), 'done');
      const link = await linkRow(fixture, link_id);
      assert.deepEqual([link.status, link.frozen_at, link.revoked_by], ['active', null, null]);
      assert.equal((await fixture.charge(link_token, 1000)).statusCode, 201);
      const entry = await lastAudit();
      assert.equal(entry.action, 'case.resolve');
      assert.deepEqual([entry.details.link_id, entry.details.link], [link_id, 'reactivated']);
    });

    test('resolved as fraud, the link is revoked by the staff member and every later charge is refused as revoked', async () => {
      const { link_id, link_token, case_id } = await frozenDispute();
      assert.equal(await fixture.bank.services.cases.resolve(case_id, 'fraud', analyst.id, 'customer confirmed it was not them'), 'done');
      const link = await linkRow(fixture, link_id);
      assert.deepEqual([link.status, link.revoked_by], ['revoked', `staff:${analyst.id}`]);
      const refused = await fixture.charge(link_token, 1000);
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().code, 'link_revoked');
      assert.equal((await lastAudit()).details.link, 'revoked');
    });

    test('a second resolution is refused and changes neither the link nor the audit log', async () => {
      const { link_id, case_id } = await frozenDispute();
      assert.equal(await fixture.bank.services.cases.resolve(case_id, 'fraud', analyst.id, 'customer confirmed it was not them'), 'done');
      const before = await snapshotDatabase(fixture.db);
      assert.equal(await fixture.bank.services.cases.resolve(case_id, 'legitimate', analyst.id, 'customer’s own purchase'), 'not_open');
      assertNothingWritten(before, await snapshotDatabase(fixture.db), { message: 'the second resolution wrote' });
      assert.equal((await linkRow(fixture, link_id)).status, 'revoked', 'a fraud verdict is not undone by a second click');
    });

    test('a legitimate verdict on a link the customer revoked meanwhile leaves it revoked', async () => {
      const { link_id, case_id } = await frozenDispute();
      await fixture.bank.services.links.revokeByCustomer(fixture.customer.id, link_id);
      assert.equal(await fixture.bank.services.cases.resolve(case_id, 'legitimate', analyst.id, 'customer’s own purchase'), 'done');
      assert.equal((await linkRow(fixture, link_id)).status, 'revoked');
      assert.equal((await lastAudit()).details.link, 'unchanged');
    });
  });
}
