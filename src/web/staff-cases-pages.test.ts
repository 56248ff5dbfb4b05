import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { chargeLink, linkedElderlyCustomer, STEP_UP_TEST_BANK } from '../stepup/waiting-charge-fixture.ts';
import { staffGet, staffPost, staffSession, type StaffSession } from '../testing/staff-session.ts';

for (const backend of testBackends) {
  describe(`alerts and cases in the console on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let viewer: StaffSession;
    let analyst: StaffSession;
    let admin: StaffSession;

    // One bank for the suite: each test leaves what it did, and the last checks the chain over all of it.
    before(async () => {
      fixture = await createBankFixture(backend, { waiting_charge_jobs: false, ...STEP_UP_TEST_BANK });
      viewer = await staffSession(fixture, 'viewer');
      analyst = await staffSession(fixture, 'analyst');
      admin = await staffSession(fixture, 'admin');
    });
    after(() => fixture?.close());

    const raise = (kind: 'risk_hold' | 'not_me', reason_codes: string[]) => fixture.db.transaction((tx) =>
      fixture.bank.services.cases.raiseAlert(tx, { kind, severity: 'high', customer_id: fixture.customer.id, reason_codes, summary: `${kind} for 山田 花子` }));

    test('an analyst opens a case from an alert, assigns it to themselves, notes and resolves it as fraud; a viewer sees it all but may do none of it', async () => {
      const [alert_id] = await raise('risk_hold', ['new_link_large_charge', 'elderly_customer']);
      const queue = await staffGet(fixture, viewer, '/staff/alerts');
      assert.equal(queue.statusCode, 200);
      assert.match(queue.body, new RegExp(`data-alert="${alert_id}"`));
      assert.match(queue.body, /new_link_large_charge/);
      assert.doesNotMatch(queue.body, /data-action="open-case"/, 'no buttons for a viewer');
      assert.match((await staffGet(fixture, analyst, '/staff/alerts')).body, /data-action="open-case"/);

      for (const url of [`/staff/alerts/${alert_id}/case`, `/staff/alerts/${alert_id}/acknowledge`, `/staff/alerts/${alert_id}/close`]) {
        const refused = await staffPost(fixture, viewer, url);
        assert.equal(refused.statusCode, 403, url);
        assert.match(refused.body, /data-code="staff_role_insufficient"/);
      }
      assert.equal((await fixture.bank.services.cases.getAlert(alert_id!))!.status, 'open');

      const opened = await staffPost(fixture, analyst, `/staff/alerts/${alert_id}/case`);
      assert.equal(opened.statusCode, 303);
      const case_id = /^\/staff\/cases\/([0-9a-f-]{36})$/.exec(opened.headers.location as string)?.[1];
      assert.ok(case_id);

      for (const [url, fields] of [[`/staff/cases/${case_id}/assign`, {}], [`/staff/cases/${case_id}/notes`, { text: 'hi' }], [`/staff/cases/${case_id}/resolve`, { resolution: 'legitimate' }]] as const) {
        assert.equal((await staffPost(fixture, viewer, url, fields)).statusCode, 403, url);
      }
      assert.equal((await staffPost(fixture, analyst, `/staff/cases/${case_id}/assign`)).statusCode, 303);
      for (const text of ['', '   ', 'x'.repeat(2001)]) {
        const refused = await staffPost(fixture, analyst, `/staff/cases/${case_id}/notes`, { text });
        assert.equal(refused.statusCode, 422);
        assert.match(refused.body, /data-code="staff_note_invalid"/);
      }
      assert.equal((await staffPost(fixture, analyst, `/staff/cases/${case_id}/notes`, { text: '<script>alert(1)</script> 本人に電話: ウォレットは開設していない' })).statusCode, 303);
      const page = await staffGet(fixture, viewer, `/staff/cases/${case_id}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt; 本人に電話/, 'notes are escaped');
      assert.doesNotMatch(page.body, /data-action="resolve-fraud"/);
      assert.match((await staffGet(fixture, analyst, `/staff/cases/${case_id}`)).body, /data-action="resolve-fraud"/);

      for (const reason of [undefined, '', '   ', 'x'.repeat(201)]) {
        const refused = await staffPost(fixture, analyst, `/staff/cases/${case_id}/resolve`, { resolution: 'fraud', ...(reason === undefined ? {} : { reason }) });
        assert.equal(refused.statusCode, 422, `reason ${JSON.stringify(reason)}`);
        assert.match(refused.body, /data-code="staff_reason_invalid"/);
        assert.equal((await fixture.bank.services.cases.getCase(case_id))!.case.status, 'open', 'a case closed without a reason stays open');
      }
      assert.match((await staffGet(fixture, analyst, `/staff/cases/${case_id}`)).body, /id="resolve-reason" name="reason" required/);
      const resolved = await staffPost(fixture, analyst, `/staff/cases/${case_id}/resolve`, { resolution: 'fraud', reason: ' customer confirmed ' });
      assert.equal(resolved.statusCode, 303);
      const [closing] = await fixture.bank.services.audit.list({ action: 'case.resolve' });
      assert.equal(closing?.reason, 'customer confirmed', 'the reason is in the audit chain');
      const again = await staffPost(fixture, analyst, `/staff/cases/${case_id}/resolve`, { resolution: 'legitimate', reason: 'second look' });
      assert.equal(again.statusCode, 409);
      assert.match(again.body, /data-code="staff_target_not_open"/);

      const detail = (await fixture.bank.services.cases.getCase(case_id))!;
      assert.deepEqual([detail.case.status, detail.case.resolution, detail.case.assignee_staff_id, detail.case.resolved_by], ['resolved', 'fraud', analyst.id, analyst.id]);
      assert.equal(detail.alerts[0]!.status, 'closed');
      assert.match((await staffGet(fixture, viewer, `/staff/cases/${case_id}`)).body, /data-case-status="resolved"/);
      assert.deepEqual((await fixture.bank.services.audit.list()).map((entry) => [entry.action, entry.staff_id]).reverse(), [
        ['case.open', analyst.id], ['case.assign', analyst.id], ['case.note', analyst.id], ['case.resolve', analyst.id]]);
    });

    test('an analyst can resolve a case but not flip a switch: 403 and the operator unchanged', async () => {
      const case_id = await fixture.db.transaction((tx) => fixture.bank.services.cases.openCase(tx, { kind: 'dispute', opened_by: 'customer', summary: 'この出金に覚えがない', customer_id: fixture.customer.id }));
      assert.equal((await staffPost(fixture, analyst, `/staff/cases/${case_id}/resolve`, { resolution: 'legitimate', reason: 'customer confirmed the charge' })).statusCode, 303);
      const before = await fixture.snapshot();
      const refused = await staffPost(fixture, analyst, `/staff/operators/${fixture.operator.id}/switches`, { name: 'charges_suspended', on: 'true', reason: 'fraud confirmed' });
      assert.equal(refused.statusCode, 403);
      assert.match(refused.body, /data-code="staff_role_insufficient"/);
      await fixture.assertNothingWritten(before);
      assert.equal((await fixture.bank.services.operators.get(fixture.operator.id))!.charges_suspended, false);
      assert.equal((await staffPost(fixture, admin, `/staff/operators/${fixture.operator.id}/switches`, { name: 'charges_suspended', on: 'true', reason: 'fraud confirmed' })).statusCode, 303);
      assert.equal((await staffPost(fixture, admin, `/staff/operators/${fixture.operator.id}/switches`, { name: 'charges_suspended', on: 'false', reason: 'operator fixed its sign-up' })).statusCode, 303);
    });

    test('alerts are acknowledged and closed once; unknown, malformed and forged requests are refused and change nothing', async () => {
      const [alert_id] = await raise('not_me', []);
      const before = await fixture.snapshot();
      assert.equal((await staffPost(fixture, analyst, `/staff/alerts/${alert_id}/acknowledge`, { csrf: 'forged' })).statusCode, 403);
      assert.equal((await staffPost(fixture, analyst, `/staff/alerts/${fixture.bank.services.ids.next()}/acknowledge`)).statusCode, 404);
      assert.equal((await staffPost(fixture, analyst, `/staff/cases/${fixture.bank.services.ids.next()}/resolve`, { resolution: 'fraud', reason: 'checked' })).statusCode, 404);
      assert.equal((await staffPost(fixture, analyst, `/staff/cases/not-a-case/resolve`, { resolution: 'fraud', reason: 'checked' })).statusCode, 400);
      assert.equal((await staffPost(fixture, analyst, `/staff/cases/${fixture.bank.services.ids.next()}/resolve`, { resolution: 'maybe', reason: 'checked' })).statusCode, 400);
      assert.equal((await staffPost(fixture, analyst, `/staff/alerts/${alert_id}/close`, { reason: 'x'.repeat(201) })).statusCode, 422);
      await fixture.assertNothingWritten(before);

      assert.equal((await staffPost(fixture, analyst, `/staff/alerts/${alert_id}/acknowledge`)).statusCode, 303);
      assert.equal((await staffPost(fixture, analyst, `/staff/alerts/${alert_id}/acknowledge`)).statusCode, 409);
      const closed = await fixture.bank.app.inject({
        method: 'POST', url: `/staff/alerts/${alert_id}/close`, cookies: analyst.cookies,
        headers: { 'content-type': 'application/x-www-form-urlencoded', referer: 'http://evil.example/staff/customers' },
        payload: new URLSearchParams({ csrf: analyst.csrf, reason: 'customer mistyped' }).toString(),
      });
      assert.equal(closed.statusCode, 303);
      assert.equal(closed.headers.location, '/staff/customers', 'only the path of the referer is kept');
      assert.equal((await fixture.bank.services.cases.getAlert(alert_id!))!.status, 'closed');
      assert.equal((await staffGet(fixture, analyst, `/staff/cases/${fixture.bank.services.ids.next()}`)).statusCode, 404);
    });

    /** A ¥100,000 charge five minutes after a wrong PIN on a new link: the risk pipeline holds it for staff. */
    async function heldCharge() {
      const customer = await linkedElderlyCustomer(fixture);
      assert.equal((await legacyLink(fixture, { ...customer.fields, pin: '0000' })).response.statusCode, 422);
      const response = await chargeLink(fixture, customer, 100_000);
      assert.equal(response.json().status, 'held', response.body);
      return response.json() as { id: string };
    }

    test('a held charge is reviewed from its case: a viewer may not touch it, an analyst declines one and releases another, each audited once', async () => {
      const declined = await heldCharge();
      const [alert] = (await fixture.bank.services.cases.listAlerts({ status: 'open' })).filter((a) => a.charge_id === declined.id);
      assert.equal(alert?.kind, 'risk_hold', 'the risk step raised an alert for the hold');
      const opened = await staffPost(fixture, analyst, `/staff/alerts/${alert.id}/case`);
      const case_url = opened.headers.location as string;
      assert.doesNotMatch((await staffGet(fixture, viewer, case_url)).body, /data-action="decline"/);
      assert.match((await staffGet(fixture, analyst, case_url)).body, new RegExp(`data-charge="${declined.id}" data-status="held"[\\s\\S]*data-action="decline"`));

      const refused = await staffPost(fixture, viewer, `/staff/charges/${declined.id}/decline`);
      assert.equal(refused.statusCode, 403);
      assert.match(refused.body, /data-code="staff_role_insufficient"/);
      const status = async (id: string) => (await fixture.db.query<{ status: string }>(`SELECT status FROM charges WHERE id = $1`, [id]))[0]?.status;
      assert.equal(await status(declined.id), 'held');

      const done = await fixture.bank.app.inject({
        method: 'POST', url: `/staff/charges/${declined.id}/decline`, cookies: analyst.cookies,
        headers: { 'content-type': 'application/x-www-form-urlencoded', referer: `http://bank.test${case_url}` },
        payload: new URLSearchParams({ csrf: analyst.csrf, reason: 'customer never opened the wallet' }).toString(),
      });
      assert.equal(done.statusCode, 303);
      assert.equal(done.headers.location, case_url, 'back to the case');
      assert.equal(await status(declined.id), 'declined');
      const again = await staffPost(fixture, analyst, `/staff/charges/${declined.id}/release`);
      assert.equal(again.statusCode, 409, 'a declined charge cannot be released');
      assert.equal((await staffPost(fixture, analyst, `/staff/charges/${fixture.bank.services.ids.next()}/release`)).statusCode, 404);

      const released = await heldCharge();
      assert.equal((await staffPost(fixture, analyst, `/staff/charges/${released.id}/release`)).statusCode, 303);
      assert.equal(await status(released.id), 'succeeded');
      const entries = (await fixture.bank.services.audit.list()).filter((entry) => entry.action.startsWith('charge.'));
      assert.deepEqual(entries.map((entry) => [entry.action, entry.subject, entry.staff_id, entry.details.status]), [
        ['charge.release', released.id, analyst.id, 'succeeded'], ['charge.decline', declined.id, analyst.id, 'declined']]);
      assert.equal(entries[1]!.reason, 'customer never opened the wallet');
    });

    test('a case about a link says what each verdict does to it, and fraud revokes the link so its credential charges no more', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      assert.equal((await legacyLink(fixture, { ...customer.fields, pin: '0000' })).response.statusCode, 422);
      const held = (await chargeLink(fixture, customer, 100_000)).json() as { id: string; status: string };
      assert.equal(held.status, 'held');
      const [alert] = (await fixture.bank.services.cases.listAlerts({ status: 'open' })).filter((a) => a.charge_id === held.id);
      const case_url = (await staffPost(fixture, analyst, `/staff/alerts/${alert!.id}/case`)).headers.location as string;
      assert.match((await staffGet(fixture, analyst, case_url)).body, /id="resolve-link-effect"[^>]*>[\s\S]*Fraud revokes this case’s link/);
      assert.equal((await staffPost(fixture, analyst, `${case_url}/resolve`, { resolution: 'fraud', reason: 'customer never opened the wallet' })).statusCode, 303);
      const [link] = await fixture.db.query<{ status: string; revoked_by: string }>(`SELECT status, revoked_by FROM links WHERE id = $1`, [customer.link_id]);
      assert.deepEqual([link?.status, link?.revoked_by], ['revoked', `staff:${analyst.id}`]);
      const refused = await chargeLink(fixture, customer, 1000);
      assert.equal(refused.json().code, 'link_revoked');
    });

    test('after every action above the audit chain verifies', async () => {
      const result = await fixture.bank.services.audit.verify();
      assert.equal(result.ok, true);
      assert.ok(result.entries_count >= 8);
    });
  });
}
