import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends, type TestBackend } from '../testing/test-databases.ts';
import { createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { customerSession, logInCustomer, staffGet, staffPost, staffSession } from '../testing/staff-session.ts';
import { SECOND_FACTOR_FAILURES_MAX } from '../mfa/second-factors.ts';
import { PIN_FAILURES_PER_ACCOUNT_MAX, REVERSE_BRUTE_FORCE_ACCOUNTS_MIN } from '../throttle/credential-limits.ts';

async function withFixture(backend: TestBackend, run: (fixture: BankFixture) => Promise<void>) {
  const fixture = await createBankFixture(backend);
  try {
    await run(fixture);
  } finally {
    await fixture.close();
  }
}

for (const backend of testBackends) {
  describe(`the staff security console on ${backend.name}`, { skip: backend.skip }, () => {
    test('without a staff session the console sends to the staff login, and a customer session is not one', async () => {
      await withFixture(backend, async (fixture) => {
        const { cookies } = await customerSession(fixture, fixture.customer.id);
        for (const request of [{}, { cookies: { furikae_staff: cookies.furikae_customer } }]) {
          const response = await fixture.bank.app.inject({ method: 'GET', url: '/staff/security', ...request });
          assert.equal(response.statusCode, 302);
          assert.equal(response.headers.location, '/staff/login');
        }
      });
    });

    test('staff see a locked factor and unlock it only with the session’s CSRF token; the unlock names them', async () => {
      await withFixture(backend, async (fixture) => {
        const { services } = fixture.bank;
        for (let i = 0; i < SECOND_FACTOR_FAILURES_MAX; i++) await services.secondFactors.verify(fixture.customer.id, { factor: 'sms', code: '000000' });
        const staff = await staffSession(fixture, 'admin');
        const page = await staffGet(fixture, staff, '/staff/security');
        assert.equal(page.statusCode, 200);
        assert.match(page.body, new RegExp(`data-customer="${fixture.customer.id}" data-factor="sms"`));

        const unlock = (csrf: string) => staffPost(fixture, staff, '/staff/security/factors/unlock', { csrf, customer_id: fixture.customer.id, factor: 'sms' });
        assert.equal((await unlock('forged')).statusCode, 403);
        assert.equal((await services.secondFactors.listLocked()).length, 1, 'still locked');
        const done = await unlock(staff.csrf);
        assert.equal(done.statusCode, 303);
        assert.deepEqual(await services.secondFactors.listLocked(), []);
        const [event] = await fixture.db.query<{ actor: string }>(`SELECT actor FROM second_factor_events WHERE event = 'unlocked'`);
        assert.equal(event?.actor, `staff:${staff.id}`);
        const [entry] = await services.audit.list({ action: 'factor.unlock' });
        assert.deepEqual([entry?.staff_id, entry?.subject, entry?.details], [staff.id, fixture.customer.id, { customer_id: fixture.customer.id, factor: 'sms' }]);
        assert.equal((await unlock(staff.csrf)).statusCode, 404, 'nothing left to unlock');
        assert.equal((await services.audit.list({ action: 'factor.unlock' })).length, 1, 'a refused unlock is not audited');
      });
    });

    test('staff see a locked PIN with the account number masked and unlock it', async () => {
      await withFixture(backend, async (fixture) => {
        for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX; i++) await legacyLink(fixture, { pin: String(1000 + i) });
        const staff = await staffSession(fixture, 'admin');
        const page = await staffGet(fixture, staff, '/staff/security');
        assert.match(page.body, /001-\*\*\*\*567/);
        assert.doesNotMatch(page.body, /1234567/);
        const lock_id = /data-lock="([0-9a-f-]{36})"/.exec(page.body)?.[1];
        assert.ok(lock_id);
        const done = await staffPost(fixture, staff, `/staff/security/credentials/${lock_id}/unlock`);
        assert.equal(done.statusCode, 303);
        assert.equal((await legacyLink(fixture)).response.statusCode, 201);
      });
    });

    test('a locked internet-banking login shows staff the customer’s name linking to them and 「インターネットバンキング」, never the internal login key', async () => {
      await withFixture(backend, async (fixture) => {
        for (let i = 0; i < 5; i++) {
          await logInCustomer(fixture, 'hanako', `wrong-${i}`);
        }
        const staff = await staffSession(fixture, 'admin');
        const page = await staffGet(fixture, staff, '/staff/security');
        const row = /<tr data-lock="[^"]+">.*?<\/tr>/s.exec(page.body)?.[0] ?? '';
        assert.match(row, /インターネットバンキング/);
        assert.match(row, new RegExp(`<a href="/staff/customers/${fixture.customer.id}">山田 花子</a>`));
        assert.doesNotMatch(page.body, /login:|ha\*\*\*/);
        const customer = await staffGet(fixture, staff, `/staff/customers/${fixture.customer.id}`);
        assert.doesNotMatch(customer.body, /login:|ha\*\*\*/);
        assert.match(customer.body, /インターネットバンキング/);
      });
    });

    test('staff see a reverse brute force alert with its blocks, lift a block and resolve the alert, which closes its copy in the alert queue', async () => {
      await withFixture(backend, async (fixture) => {
        for (let n = 1; n <= REVERSE_BRUTE_FORCE_ACCOUNTS_MIN + 3; n++) {
          await legacyLink(fixture, { account_number: String(n).padStart(7, '0'), pin: '1234' }, { ip: '203.0.113.66' });
        }
        const [credentialAlert] = await fixture.bank.services.throttle.listAlerts();
        const queued = (await fixture.bank.services.cases.listAlerts({})).filter((alert) => alert.kind === 'credential_reverse_brute_force');
        assert.equal(queued.length, 1, 'one alert in the queue however many attempts follow');
        assert.deepEqual([queued[0]!.severity, queued[0]!.status, queued[0]!.details.credential_alert_id], ['high', 'open', credentialAlert?.id]);
        assert.deepEqual(queued[0]!.details.source_ips, ['203.0.113.66']);
        assert.match(queued[0]!.summary ?? '', /one secret failing across \d+ accounts/);
        const queuePage = await staffGet(fixture, await staffSession(fixture, 'viewer'), '/staff/alerts');
        assert.match(queuePage.body, new RegExp(`data-kind="credential_reverse_brute_force"[\\s\\S]*?data-credential-alert="${credentialAlert!.id}"`));
        const staff = await staffSession(fixture, 'admin');
        const page = await staffGet(fixture, staff, '/staff/security');
        assert.match(page.body, /data-alert="reverse_brute_force"/);
        assert.match(page.body, /203\.0\.113\.66/);
        assert.match(page.body, /data-block="source_ip"/);
        assert.match(page.body, /data-block="secret_fingerprint"/);

        const blockAction = /action="\/staff\/security\/blocks\/([0-9a-f-]{36})\/lift"/.exec(page.body)?.[1];
        const alertAction = /action="\/staff\/security\/alerts\/([0-9a-f-]{36})\/resolve"/.exec(page.body)?.[1];
        assert.ok(blockAction && alertAction);
        assert.equal((await staffPost(fixture, staff, `/staff/security/blocks/${blockAction}/lift`, { csrf: 'forged' })).statusCode, 403);
        assert.equal((await staffPost(fixture, staff, `/staff/security/blocks/${blockAction}/lift`)).statusCode, 303);
        assert.equal((await staffPost(fixture, staff, `/staff/security/alerts/${alertAction}/resolve`)).statusCode, 303);
        assert.equal((await staffPost(fixture, staff, `/staff/security/alerts/not-a-uuid/resolve`)).statusCode, 400);
        const after = await staffGet(fixture, staff, '/staff/security');
        assert.doesNotMatch(after.body, /data-alert=/);
        assert.equal([...after.body.matchAll(/data-block=/g)].length, 1, 'one block lifted, one left');
        const closed = (await fixture.bank.services.cases.listAlerts({})).find((alert) => alert.id === queued[0]!.id);
        assert.deepEqual([closed?.status, closed?.status_changed_by], ['closed', staff.id]);
      });
    });

    test('a viewer sees the security page without action buttons and is refused every action with 403; an analyst may resolve an alert but not unlock', async () => {
      await withFixture(backend, async (fixture) => {
        const { services } = fixture.bank;
        for (let i = 0; i < SECOND_FACTOR_FAILURES_MAX; i++) await services.secondFactors.verify(fixture.customer.id, { factor: 'sms', code: '000000' });
        for (let n = 1; n <= REVERSE_BRUTE_FORCE_ACCOUNTS_MIN; n++) {
          await legacyLink(fixture, { account_number: String(n).padStart(7, '0'), pin: '1234' }, { ip: '203.0.113.66' });
        }
        const [alert] = await services.throttle.listAlerts();
        const [block] = await services.throttle.listBlocks();
        assert.ok(alert && block);
        const viewer = await staffSession(fixture, 'viewer');
        const analyst = await staffSession(fixture, 'analyst');
        const page = await staffGet(fixture, viewer, '/staff/security');
        assert.equal(page.statusCode, 200);
        assert.doesNotMatch(page.body, /action="\/staff\/security\/[^"]+"/, 'no forms for a viewer');
        for (const who of [viewer, analyst]) {
          const refused = await staffPost(fixture, who, '/staff/security/factors/unlock', { customer_id: fixture.customer.id, factor: 'sms' });
          assert.equal(refused.statusCode, 403);
          assert.match(refused.body, /data-code="staff_role_insufficient"/);
          assert.equal((await staffPost(fixture, who, `/staff/security/blocks/${block.id}/lift`)).statusCode, 403);
        }
        assert.equal((await staffPost(fixture, viewer, `/staff/security/alerts/${alert.id}/resolve`)).statusCode, 403);
        assert.equal((await services.secondFactors.listLocked()).length, 1, 'still locked');
        assert.equal((await services.throttle.listBlocks()).length, 2, 'no block lifted');
        // The one entry is the bank's own: the spray suspended the operator's new links (src/throttle/reverse-brute-force-containment.ts).
        const contained = [['operator.switch', null]];
        assert.deepEqual((await services.audit.list()).map((entry) => [entry.action, entry.staff_id]), contained, 'refusals are not audited');
        assert.equal((await staffPost(fixture, analyst, `/staff/security/alerts/${alert.id}/resolve`)).statusCode, 303);
        assert.deepEqual(await services.throttle.listAlerts(), []);
        assert.deepEqual((await services.audit.list()).map((entry) => [entry.action, entry.staff_id]), [['credential_alert.resolve', analyst.id], ...contained]);
        assert.equal((await fixture.bank.services.audit.verify()).ok, true);
      });
    });
  });
}
