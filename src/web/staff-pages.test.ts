import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { charge, createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { customerSession, FORM_HEADERS, formBody, staffGet, staffPost, staffSession, webSession, type StaffSession } from '../testing/staff-session.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECOND_FACTOR_FAILURES_MAX } from '../mfa/second-factors.ts';
import { insertConsentedLinkRow } from '../testing/consented-link-row.ts';
import { createSoftwareAuthenticator } from '../testing/software-authenticator.ts';

const PAGES = ['/staff', '/staff/operators', '/staff/charges', '/staff/alerts', '/staff/cases', '/staff/customers', '/staff/security', '/staff/audit'];

/** The number on a dashboard tile. */
function tile(body: string, id: string): string | undefined {
  return new RegExp(`id="${id}"><div class="n">([^<]*)</div>`).exec(body)?.[1];
}

for (const backend of testBackends) {
  describe(`the staff console pages on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let viewer: StaffSession;
    let admin: StaffSession;
    let link: Awaited<ReturnType<typeof legacyLink>>;
    let anchor_dir: string;

    before(async () => {
      anchor_dir = await mkdtemp(join(tmpdir(), 'furikae-anchors-'));
      fixture = await createBankFixture(backend, { audit_anchor_file: join(anchor_dir, 'audit-anchors.jsonl') });
      viewer = await staffSession(fixture, 'viewer');
      admin = await staffSession(fixture, 'admin');
      link = await legacyLink(fixture);
      assert.equal(link.response.statusCode, 201);
    });
    after(async () => {
      await fixture?.close();
      await rm(anchor_dir, { recursive: true, force: true });
    });

    test('every console page sends a visitor without a staff session to the login, and a customer’s cookie is not one', async () => {
      const customer = await customerSession(fixture, fixture.customer.id);
      // A customer session naming a staff member's id: only the session's kind keeps it out of the console.
      const posing = await webSession(fixture, 'customer', viewer.id);
      for (const url of [...PAGES, `/staff/customers/${fixture.customer.id}`]) {
        const jars: Record<string, string>[] = [
          {}, { furikae_staff: customer.cookies.furikae_customer }, { furikae_staff: posing.cookies.furikae_customer }, { furikae_staff: 'made-up' },
        ];
        for (const cookies of jars) {
          const response = await fixture.bank.app.inject({ method: 'GET', url, cookies });
          assert.equal(response.statusCode, 302, url);
          assert.equal(response.headers.location, '/staff/login');
        }
      }
    });

    test('every console page answers a viewer with the navigation, their name and role', async () => {
      for (const url of [...PAGES, `/staff/customers/${fixture.customer.id}`]) {
        const response = await staffGet(fixture, viewer, url);
        assert.equal(response.statusCode, 200, url);
        assert.match(response.body, /data-staff-role="viewer"/);
        assert.match(response.body, /<nav class="console">/);
      }
    });

    test('the dashboard counts open alerts, open cases, today’s charges and suspended operators', async () => {
      const { cases } = fixture.bank.services;
      const before = await staffGet(fixture, viewer, '/staff');
      assert.equal(tile(before.body, 'stat-alerts'), '0');
      assert.equal(tile(before.body, 'stat-suspended'), '0 / 1');
      await fixture.db.transaction(async (tx) => {
        await cases.raiseAlert(tx, [{ kind: 'risk_hold', reason_codes: ['velocity_over_caps'] }, { kind: 'risk_deny' }]);
        await cases.openCase(tx, { kind: 'dispute', summary: 'not me' });
      });
      for (let n = 0; n < 2; n++) assert.ok((await charge(fixture, link.body.link_token, { amount_yen: 3000 }, `dash-${n}`)).statusCode < 300);
      await fixture.bank.services.operators.setSwitch(fixture.operator.id, 'new_links_suspended', true, { staff_id: admin.id, reason: 'incident' });
      const after = await staffGet(fixture, viewer, '/staff');
      assert.equal(tile(after.body, 'stat-alerts'), '2');
      assert.equal(tile(after.body, 'stat-cases'), '1');
      assert.equal(tile(after.body, 'stat-charges'), '2');
      assert.match(after.body, /Charges today · ¥6,000 moved/);
      assert.equal(tile(after.body, 'stat-suspended'), '1 / 1');
      assert.match(after.body, /class="banner-warn"[^>]*>停止中 Suspended: ドコモ口座 \(テスト\) \(new links\)/);
      assert.match(after.body, /velocity_over_caps/);
      await fixture.bank.services.operators.setSwitch(fixture.operator.id, 'new_links_suspended', false, { staff_id: admin.id, reason: 'over' });
    });

    test('the charges view shows the latest charges with masked accounts, hides request hashes, and shows a column added later without a change', async () => {
      const response = await charge(fixture, link.body.link_token, { amount_yen: 12_345, description: 'top-up 42' }, 'view-1');
      const id = response.json().id as string;
      await fixture.db.exec(`ALTER TABLE charges ADD COLUMN review_label text`);
      await fixture.db.query(`UPDATE charges SET review_label = 'checked by lab' WHERE id = $1`, [id]);
      const page = await staffGet(fixture, viewer, '/staff/charges');
      assert.equal(page.statusCode, 200);
      const row = new RegExp(`<tr data-charge="${id}"[\\s\\S]*?</tr>`).exec(page.body)?.[0];
      assert.ok(row);
      assert.match(row, /¥12,345/);
      assert.match(row, /001-\*\*\*\*567/);
      assert.match(row, /ドコモ口座 \(テスト\)/);
      assert.match(row, /review_label: checked by lab/);
      assert.match(row, /top-up 42/);
      assert.doesNotMatch(page.body, /1234567/);
      assert.doesNotMatch(page.body, /request_hash/);
      assert.doesNotMatch(page.body, /idempotency_key/);
      // The console runs no inline script (its CSP forbids it): the live view reloads by a Refresh header.
      assert.equal(page.headers.refresh, '5; url=/staff/charges?refresh=auto', 'the live view reloads itself every 5 s');
      assert.doesNotMatch(page.body, /<script/);
      assert.equal((await staffGet(fixture, viewer, '/staff/charges?live=0')).headers.refresh, undefined);
      assert.equal((await staffGet(fixture, viewer, '/staff/charges?status=%3Cscript%3E')).statusCode, 400);
      await fixture.db.exec(`ALTER TABLE charges DROP COLUMN review_label`);
    });

    test('the customer page shows the passbook with the operator’s label, the links and the factors; only an admin may unlock, and the unlock is audited', async () => {
      const { secondFactors } = fixture.bank.services;
      for (let i = 0; i < SECOND_FACTOR_FAILURES_MAX; i++) await secondFactors.verify(fixture.customer.id, { factor: 'sms', code: '000000' });
      const url = `/staff/customers/${fixture.customer.id}`;
      const seen = await staffGet(fixture, viewer, url);
      assert.equal(seen.statusCode, 200);
      assert.match(seen.body, /<td>ドコモ口座<\/td>/, 'a passbook line carries the operator’s label');
      assert.match(seen.body, new RegExp(`data-link="${link.body.link.id}"`));
      assert.match(seen.body, /data-factor="sms" data-status="locked"/);
      assert.doesNotMatch(seen.body, /data-action="unlock-factor"/);
      const adminView = await staffGet(fixture, admin, url);
      assert.match(adminView.body, /data-action="unlock-factor"/);

      const unlock = (who: StaffSession) => fixture.bank.app.inject({
        method: 'POST', url: '/staff/security/factors/unlock', cookies: who.cookies, headers: { ...FORM_HEADERS, referer: `http://bank.test${url}` },
        payload: formBody({ csrf: who.csrf, customer_id: fixture.customer.id, factor: 'sms' }) });
      assert.equal((await unlock(viewer)).statusCode, 403);
      assert.equal((await secondFactors.listLocked()).length, 1);
      const done = await unlock(admin);
      assert.equal(done.statusCode, 303);
      assert.equal(done.headers.location, url, 'back to the customer page');
      assert.deepEqual(await secondFactors.listLocked(), []);
      const [entry] = await fixture.bank.services.audit.list({ action: 'factor.unlock' });
      assert.equal(entry?.staff_id, admin.id);
      assert.equal((await staffGet(fixture, viewer, `/staff/customers/${fixture.bank.services.ids.next()}`)).statusCode, 404);
    });

    test('the customer page shows when each FAPI link\'s consent ends, and marks it expired once it has passed; a legacy link has none', async () => {
      const ends = new Date(fixture.clock.now().getTime() + 10 * 24 * 60 * 60 * 1000);
      const link_id = await insertConsentedLinkRow(fixture.db, { operator_id: fixture.operator.id, account_id: fixture.customer.account_id, created_at: fixture.clock.now(), consent_expires_at: ends });
      const url = `/staff/customers/${fixture.customer.id}`;
      const cell = (body: string, id: string) => new RegExp(`id="link-${id}">(?:(?!</tr>).)*<td class="consent-ends">((?:(?!</td>).)*)</td>`, 's').exec(body)?.[1];
      const jst = new Date(ends.getTime() + 9 * 60 * 60 * 1000).toISOString().slice(0, 16).replace('T', ' ');
      const seen = await staffGet(fixture, viewer, url);
      assert.ok(cell(seen.body, link_id)?.includes(jst), cell(seen.body, link_id));
      assert.doesNotMatch(cell(seen.body, link_id)!, /expired/);
      assert.match(cell(seen.body, link.body.link.id) ?? '', /—/, 'a legacy link has no consent to end');
      // Its end passes (moved, not the clock: the staff session would end first).
      await fixture.db.query(`UPDATE links SET consent_expires_at = $2 WHERE id = $1`, [link_id, new Date(fixture.clock.now().getTime() - 60_000)]);
      assert.match(cell((await staffGet(fixture, viewer, url)).body, link_id) ?? '', /<span class="tag on">expired<\/span>/);
      await fixture.db.query(`UPDATE links SET status = 'revoked' WHERE id = $1`, [link_id]);
    });

    test('a role change takes effect on the next request: a demoted admin is refused at once', async () => {
      const demoted = await staffSession(fixture, 'admin', 'to-be-demoted');
      await fixture.bank.services.staff.setRole(demoted.id, 'viewer');
      const refused = await staffPost(fixture, demoted, `/staff/operators/${fixture.operator.id}/switches`, { name: 'charges_suspended', on: 'true', reason: 'x' });
      assert.equal(refused.statusCode, 403);
      assert.match(refused.body, /data-code="staff_role_insufficient"/);
    });

    test('the audit page lists staff actions and verifies the chain on request: unanchored until a head is anchored, then OK', async () => {
      const unanchored = await staffGet(fixture, viewer, '/staff/audit?verify=1');
      assert.match(unanchored.body, /id="audit-verdict" data-ok="false">UNANCHORED/);
      // The bank anchors its head on a timer; here the test anchors now instead of waiting for it.
      assert.ok(await fixture.bank.services.audit.anchor());
      const page = await staffGet(fixture, viewer, '/staff/audit?verify=1');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /id="audit-verdict" data-ok="true">OK/);
      assert.match(page.body, /operator\.switch/);
      assert.match(page.body, /factor\.unlock/);
    });

    test('the customer page names passkeys as passkeys, with how many the customer holds', async () => {
      const { core, passkeys, secondFactors } = fixture.bank.services;
      const phone = '080-3333-0001';
      const customer = await core.openCustomer({ name_kanji: '鍵 太郎', name_kana: 'カギ タロウ', birth_date: '1980-02-02', phone, email: 'key@example.jp', address: '札幌', login_id: 'passkey-staff-view', password: 'a long password 2026' });
      const authenticator = createSoftwareAuthenticator({ origin: 'http://bank.test', rp_id: 'bank.test' });
      const options = await passkeys.registrationOptions(customer.id, 'session:staff-test');
      await secondFactors.sendSmsCode(customer.id, 'enrol_passkey');
      assert.ok((await secondFactors.enrolPasskey(customer.id, { response: JSON.stringify(authenticator.register(options)), name: 'Phone', bound_to: 'session:staff-test' },
        { factor: 'sms', code: fixture.sms.lastCode(phone, 'enrol_passkey')!, purpose: 'enrol_passkey' })).ok);
      const seen = await staffGet(fixture, viewer, `/staff/customers/${customer.id}`);
      assert.match(seen.body, /<tr data-factor="passkey" data-status="active"><td>パスキー Passkeys \(1\)<\/td>/);
    });
  });
}
