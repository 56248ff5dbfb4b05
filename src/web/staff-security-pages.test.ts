import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testBackends, type TestBackend } from '../testing/test-databases.ts';
import { createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { hashToken } from '../shared/secret-hash.ts';
import { SESSION_TTL_MS, type SessionKind } from './session-store.ts';
import { SECOND_FACTOR_FAILURES_MAX } from '../mfa/second-factors.ts';
import { PIN_FAILURES_PER_ACCOUNT_MAX, REVERSE_BRUTE_FORCE_ACCOUNTS_MIN } from '../throttle/credential-limits.ts';
import type { StaffRole } from '../staff/staff-role.ts';
import { verifyAuditChain } from '../audit/verify-audit-chain.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A live session straight in the table (the login pages are tested elsewhere): the cookie and its CSRF token. */
async function session(fixture: BankFixture, kind: SessionKind, subject_id: string) {
  const cookie = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  await fixture.db.query(
    `INSERT INTO web_sessions (id_hash, kind, subject_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4, $5)`,
    [hashToken(cookie), kind, subject_id, csrf, new Date(fixture.clock.now().getTime() + SESSION_TTL_MS)],
  );
  return { cookies: { [kind === 'customer' ? 'furikae_customer' : 'furikae_staff']: cookie }, csrf };
}

async function staffMember(fixture: BankFixture, role: StaffRole = 'admin') {
  const id = fixture.bank.services.ids.next();
  await fixture.db.query(
    `INSERT INTO staff_users (id, login_id, display_name, password_hash, role, created_at) VALUES ($1, $2, '田中', 'scrypt$unused', $3, $4)`,
    [id, `tanaka-${role}`, role, fixture.clock.now()],
  );
  return { id, ...(await session(fixture, 'staff', id)) };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

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
        const { cookies } = await session(fixture, 'customer', fixture.customer.id);
        for (const request of [{}, { cookies: { furikae_staff: cookies.furikae_customer! } }]) {
          const response = await fixture.bank.app.inject({ method: 'GET', url: '/staff/security', ...request });
          assert.equal(response.statusCode, 302);
          assert.equal(response.headers.location, '/staff/login');
        }
      });
    });

    test('staff see a locked factor and unlock it only with the session’s CSRF token; the unlock names them', async () => {
      await withFixture(backend, async (fixture) => {
        const { app, services } = fixture.bank;
        for (let i = 0; i < SECOND_FACTOR_FAILURES_MAX; i++) await services.secondFactors.verify(fixture.customer.id, { factor: 'sms', code: '000000' });
        const staff = await staffMember(fixture);
        const page = await app.inject({ method: 'GET', url: '/staff/security', cookies: staff.cookies });
        assert.equal(page.statusCode, 200);
        assert.match(page.body, new RegExp(`data-customer="${fixture.customer.id}" data-factor="sms"`));

        const unlock = (csrf: string) => app.inject({
          method: 'POST', url: '/staff/security/factors/unlock', cookies: staff.cookies, headers: FORM,
          payload: form({ csrf, customer_id: fixture.customer.id, factor: 'sms' }),
        });
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
        const staff = await staffMember(fixture);
        const page = await fixture.bank.app.inject({ method: 'GET', url: '/staff/security', cookies: staff.cookies });
        assert.match(page.body, /001-\*\*\*\*567/);
        assert.doesNotMatch(page.body, /1234567/);
        const lock_id = /data-lock="([0-9a-f-]{36})"/.exec(page.body)?.[1];
        assert.ok(lock_id);
        const done = await fixture.bank.app.inject({
          method: 'POST', url: `/staff/security/credentials/${lock_id}/unlock`, cookies: staff.cookies, headers: FORM, payload: form({ csrf: staff.csrf }),
        });
        assert.equal(done.statusCode, 303);
        assert.equal((await legacyLink(fixture)).response.statusCode, 201);
      });
    });

    test('staff see a reverse brute force alert with its blocks, lift a block and resolve the alert, which closes its copy in the alert queue', async () => {
      await withFixture(backend, async (fixture) => {
        for (let n = 1; n <= REVERSE_BRUTE_FORCE_ACCOUNTS_MIN + 3; n++) {
          await legacyLink(fixture, { account_number: String(n).padStart(7, '0'), pin: '1234' }, { ip: '203.0.113.66' });
        }
        const { app } = fixture.bank;
        const [credentialAlert] = await fixture.bank.services.throttle.listAlerts();
        const queued = (await fixture.bank.services.cases.listAlerts({})).filter((alert) => alert.kind === 'credential_reverse_brute_force');
        assert.equal(queued.length, 1, 'one alert in the queue however many attempts follow');
        assert.deepEqual([queued[0]!.severity, queued[0]!.status, queued[0]!.details.credential_alert_id], ['high', 'open', credentialAlert?.id]);
        assert.deepEqual(queued[0]!.details.source_ips, ['203.0.113.66']);
        assert.match(queued[0]!.summary ?? '', /one secret failing across \d+ accounts/);
        const queuePage = await app.inject({ method: 'GET', url: '/staff/alerts', cookies: (await staffMember(fixture, 'viewer')).cookies });
        assert.match(queuePage.body, new RegExp(`data-kind="credential_reverse_brute_force"[\\s\\S]*?data-credential-alert="${credentialAlert!.id}"`));
        const staff = await staffMember(fixture);
        const page = await app.inject({ method: 'GET', url: '/staff/security', cookies: staff.cookies });
        assert.match(page.body, /data-alert="reverse_brute_force"/);
        assert.match(page.body, /203\.0\.113\.66/);
        assert.match(page.body, /data-block="source_ip"/);
        assert.match(page.body, /data-block="secret_fingerprint"/);

        const blockAction = /action="\/staff\/security\/blocks\/([0-9a-f-]{36})\/lift"/.exec(page.body)?.[1];
        const alertAction = /action="\/staff\/security\/alerts\/([0-9a-f-]{36})\/resolve"/.exec(page.body)?.[1];
        assert.ok(blockAction && alertAction);
        const post = (url: string, csrf: string) => app.inject({ method: 'POST', url, cookies: staff.cookies, headers: FORM, payload: form({ csrf }) });
        assert.equal((await post(`/staff/security/blocks/${blockAction}/lift`, 'forged')).statusCode, 403);
        assert.equal((await post(`/staff/security/blocks/${blockAction}/lift`, staff.csrf)).statusCode, 303);
        assert.equal((await post(`/staff/security/alerts/${alertAction}/resolve`, staff.csrf)).statusCode, 303);
        assert.equal((await post(`/staff/security/alerts/not-a-uuid/resolve`, staff.csrf)).statusCode, 400);
        const after = await app.inject({ method: 'GET', url: '/staff/security', cookies: staff.cookies });
        assert.doesNotMatch(after.body, /data-alert=/);
        assert.equal([...after.body.matchAll(/data-block=/g)].length, 1, 'one block lifted, one left');
        const closed = (await fixture.bank.services.cases.listAlerts({})).find((alert) => alert.id === queued[0]!.id);
        assert.deepEqual([closed?.status, closed?.status_changed_by], ['closed', staff.id]);
      });
    });

    test('a viewer sees the security page without action buttons and is refused every action with 403; an analyst may resolve an alert but not unlock', async () => {
      await withFixture(backend, async (fixture) => {
        const { app, services } = fixture.bank;
        for (let i = 0; i < SECOND_FACTOR_FAILURES_MAX; i++) await services.secondFactors.verify(fixture.customer.id, { factor: 'sms', code: '000000' });
        for (let n = 1; n <= REVERSE_BRUTE_FORCE_ACCOUNTS_MIN; n++) {
          await legacyLink(fixture, { account_number: String(n).padStart(7, '0'), pin: '1234' }, { ip: '203.0.113.66' });
        }
        const [alert] = await services.throttle.listAlerts();
        const [block] = await services.throttle.listBlocks();
        assert.ok(alert && block);
        const viewer = await staffMember(fixture, 'viewer');
        const analyst = await staffMember(fixture, 'analyst');
        const page = await app.inject({ method: 'GET', url: '/staff/security', cookies: viewer.cookies });
        assert.equal(page.statusCode, 200);
        assert.doesNotMatch(page.body, /action="\/staff\/security\/[^"]+"/, 'no forms for a viewer');
        const post = (who: { cookies: Record<string, string>; csrf: string }, url: string, fields: Record<string, string> = {}) =>
          app.inject({ method: 'POST', url, cookies: who.cookies, headers: FORM, payload: form({ csrf: who.csrf, ...fields }) });
        for (const who of [viewer, analyst]) {
          const refused = await post(who, '/staff/security/factors/unlock', { customer_id: fixture.customer.id, factor: 'sms' });
          assert.equal(refused.statusCode, 403);
          assert.match(refused.body, /data-code="staff_role_insufficient"/);
          assert.equal((await post(who, `/staff/security/blocks/${block.id}/lift`)).statusCode, 403);
        }
        assert.equal((await post(viewer, `/staff/security/alerts/${alert.id}/resolve`)).statusCode, 403);
        assert.equal((await services.secondFactors.listLocked()).length, 1, 'still locked');
        assert.equal((await services.throttle.listBlocks()).length, 2, 'no block lifted');
        assert.equal((await services.audit.list()).length, 0, 'refusals are not audited');
        assert.equal((await post(analyst, `/staff/security/alerts/${alert.id}/resolve`)).statusCode, 303);
        assert.deepEqual(await services.throttle.listAlerts(), []);
        assert.deepEqual((await services.audit.list()).map((entry) => [entry.action, entry.staff_id]), [['credential_alert.resolve', analyst.id]]);
        assert.equal((await verifyAuditChain(fixture.db)).ok, true);
      });
    });
  });
}
