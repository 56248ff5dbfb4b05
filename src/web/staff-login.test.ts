import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { enrolledStaff, FORM_HEADERS, formBody, formToken, staffGet, staffPost, staffSession } from '../testing/staff-session.ts';
import { TOTP_STEP_MS, totpCodeAt } from '../testing/totp-enrolment.ts';
import { FORM_TOKEN_COOKIE } from '../bank-app.ts';
import { SESSION_IDLE_MS, STAFF_SESSION_ABSOLUTE_MS } from './session-store.ts';
import { STAFF_LOGIN_FAILURES_PER_ACCOUNT_MAX } from '../throttle/credential-limits.ts';
import { UNKNOWN_LOGIN_STAFF_ID } from '../staff/staff-directory.ts';

/** Each member's own password: staff share none, so no test looks like one password sprayed across logins. */
const passwordOf = (login_id: string) => `correct password of ${login_id}`;

for (const backend of testBackends) {
  describe(`the staff console login on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend);
    });
    after(() => fixture?.close());

    /** A staff member with a password and an enrolled authenticator, as `furikae staff add` leaves them. */
    async function enrolledMember(login_id: string, role: 'viewer' | 'analyst' | 'admin' = 'analyst') {
      const member = await enrolledStaff(fixture, { login_id, display_name: `${login_id} 担当`, password: passwordOf(login_id), role });
      return { ...member, code: () => totpCodeAt(member.secret, fixture.clock) };
    }

    /** The login form as a browser fills it: the page first (for its token and secret cookie), then the post. */
    async function logIn(fields: { login_id: string; password: string; totp_code: string }, cookies: Record<string, string> = {}) {
      const page = await formToken(fixture, '/staff/login', cookies);
      return fixture.bank.app.inject({ method: 'POST', url: '/staff/login', cookies: page.cookies, headers: FORM_HEADERS, payload: formBody({ csrf: page.csrf, ...fields }) });
    }

    const entriesFor = async (staff_id: string) => (await fixture.bank.services.audit.list({ subject: staff_id })).reverse();

    test('the password and the authenticator code log in: an HttpOnly, SameSite=Strict session on /staff, and the login is audited', async () => {
      const member = await enrolledMember('tanaka', 'admin');
      const ok = await logIn({ login_id: 'tanaka', password: passwordOf('tanaka'), totp_code: await member.code() });
      assert.equal(ok.statusCode, 303);
      assert.equal(ok.headers.location, '/staff');
      const cookie = ok.cookies.find((c) => c.name === 'furikae_staff');
      assert.ok(cookie?.httpOnly);
      assert.equal(cookie.sameSite, 'Strict');
      assert.equal(cookie.path, '/staff');
      const dashboard = await fixture.bank.app.inject({ method: 'GET', url: '/staff', cookies: { furikae_staff: cookie.value } });
      assert.equal(dashboard.statusCode, 200);
      assert.match(dashboard.body, /data-staff-role="admin"/);
      const [entry] = (await entriesFor(member.id)).filter((e) => e.action === 'staff.login');
      assert.equal(entry?.details.role, 'admin');
      assert.equal(entry?.details.source_ip, '127.0.0.1');
    });

    test('a wrong password, a wrong code, an unknown login and a member with no authenticator get the same refusal, each audited without the secret', async () => {
      const member = await enrolledMember('suzuki');
      const bare = await fixture.bank.services.staff.create({ login_id: 'no-factor', display_name: 'No factor', password: passwordOf('no-factor'), role: 'admin' });
      const cases = [
        { fields: { login_id: 'suzuki', password: 'wrong password', totp_code: await member.code() }, staff_id: member.id, outcome: 'wrong_password' },
        { fields: { login_id: 'suzuki', password: passwordOf('suzuki'), totp_code: '000000' }, staff_id: member.id, outcome: 'wrong_code' },
        { fields: { login_id: 'nobody-here', password: passwordOf('suzuki'), totp_code: await member.code() }, staff_id: UNKNOWN_LOGIN_STAFF_ID, outcome: 'unknown_login' },
        // A password alone never logs in: a member without an authenticator cannot reach the console, let alone enrol one.
        { fields: { login_id: 'no-factor', password: passwordOf('no-factor'), totp_code: '123456' }, staff_id: bare.id, outcome: 'no_second_factor' },
      ];
      for (const { fields, staff_id, outcome } of cases) {
        const refused = await logIn(fields);
        assert.equal(refused.statusCode, 401, outcome);
        assert.match(refused.body, /data-code="staff_login_failed"/);
        assert.match(refused.body, /Wrong staff ID, password or authenticator code/);
        assert.equal(refused.cookies.filter((c) => c.name === 'furikae_staff').length, 0, 'no session');
        const entry = (await entriesFor(staff_id)).filter((e) => e.action === 'staff.login_failed').at(-1);
        assert.equal(entry?.details.outcome, outcome);
        assert.equal(entry?.details.source_ip, '127.0.0.1');
        const recorded = JSON.stringify(entry);
        assert.ok(!recorded.includes(fields.password) && !recorded.includes(fields.totp_code), 'neither the password nor the code is audited');
      }
      assert.equal((await entriesFor(UNKNOWN_LOGIN_STAFF_ID)).at(-1)?.details.login_id, 'nobody-here');
      const routes = fixture.bank.app.printRoutes({ commonPrefix: false });
      assert.doesNotMatch(routes.split('\n').filter((line) => line.includes('/staff')).join('\n'), /totp|enrol|authenticator/i,
        'no console route enrols an authenticator: only `furikae staff add|enrol` does');
    });

    test('a code works once: replaying it in a second login is refused, the next step’s code works', async () => {
      const member = await enrolledMember('watanabe');
      const code = await member.code();
      assert.equal((await logIn({ login_id: 'watanabe', password: passwordOf('watanabe'), totp_code: code })).statusCode, 303);
      assert.equal((await logIn({ login_id: 'watanabe', password: passwordOf('watanabe'), totp_code: code })).statusCode, 401, 'a replayed code');
      fixture.clock.advance(TOTP_STEP_MS);
      assert.equal((await logIn({ login_id: 'watanabe', password: passwordOf('watanabe'), totp_code: await member.code() })).statusCode, 303);
    });

    test(`${STAFF_LOGIN_FAILURES_PER_ACCOUNT_MAX} failures lock the login even for the right password and code, raise one staff alert, and an admin’s unlock lets it in`, async () => {
      const member = await enrolledMember('kobayashi');
      for (let i = 0; i < STAFF_LOGIN_FAILURES_PER_ACCOUNT_MAX; i++) {
        assert.equal((await logIn({ login_id: 'kobayashi', password: `guess ${i}`, totp_code: '000000' }, {}).then((r) => r.statusCode)), 401);
      }
      const locked = await logIn({ login_id: 'kobayashi', password: passwordOf('kobayashi'), totp_code: await member.code() });
      assert.equal(locked.statusCode, 423);
      assert.match(locked.body, /data-code="credential_attempts_locked"/);
      assert.equal(locked.cookies.filter((c) => c.name === 'furikae_staff').length, 0);
      assert.equal((await entriesFor(member.id)).at(-1)?.action, 'staff.login_refused');
      const alerts = (await fixture.bank.services.cases.listAlerts()).filter((alert) => alert.kind === 'credential_account_failures');
      assert.equal(alerts.length, 1);
      assert.match(alerts[0]!.summary ?? '', /staff:kobayashi/);

      const admin = await staffSession(fixture, 'admin');
      const security = await staffGet(fixture, admin, '/staff/security');
      const lock_id = /<tr data-lock="([^"]+)"><td>行員ログイン Staff login<\/td><td>staff:kobayashi<\/td>/.exec(security.body)?.[1];
      assert.ok(lock_id, 'the lock is listed for admins');
      assert.equal((await staffPost(fixture, admin, `/staff/security/credentials/${lock_id}/unlock`)).statusCode, 303);
      fixture.clock.advance(TOTP_STEP_MS);
      assert.equal((await logIn({ login_id: 'kobayashi', password: passwordOf('kobayashi'), totp_code: await member.code() })).statusCode, 303);
    });

    test('the login form needs its form token: a cross-site post of the right password, code and all, is refused', async () => {
      const member = await enrolledMember('ito');
      const fields = { login_id: 'ito', password: passwordOf('ito'), totp_code: await member.code() };
      const missing = await fixture.bank.app.inject({ method: 'POST', url: '/staff/login', headers: FORM_HEADERS, payload: formBody(fields) });
      assert.equal(missing.statusCode, 403);
      assert.match(missing.body, /data-code="staff_csrf_token_invalid"/);
      const page = await formToken(fixture, '/staff/login');
      const forged = await fixture.bank.app.inject({ method: 'POST', url: '/staff/login', cookies: { [FORM_TOKEN_COOKIE]: page.cookies[FORM_TOKEN_COOKIE]! }, headers: FORM_HEADERS, payload: formBody({ ...fields, csrf: `${page.csrf.slice(0, -2)}xx` }) });
      assert.equal(forged.statusCode, 403);
      assert.match(forged.body, /data-code="staff_csrf_token_invalid"/);
      assert.equal((await entriesFor(member.id)).length, 0, 'nothing was tried');
    });

    test(`a session ends after ${SESSION_IDLE_MS / 60_000} idle minutes; activity keeps it until ${STAFF_SESSION_ABSOLUTE_MS / 3_600_000} hours, and the live view’s own reloads are not activity`, async () => {
      const idle = await staffSession(fixture, 'viewer');
      fixture.clock.advance(SESSION_IDLE_MS - 1000);
      assert.equal((await staffGet(fixture, idle, '/staff')).statusCode, 200, 'just inside the idle limit');
      fixture.clock.advance(SESSION_IDLE_MS);
      assert.equal((await staffGet(fixture, idle, '/staff')).statusCode, 302, 'idle too long');

      const busy = await staffSession(fixture, 'viewer');
      const steps = Math.floor(STAFF_SESSION_ABSOLUTE_MS / (SESSION_IDLE_MS / 2));
      for (let n = 1; n < steps; n++) {
        fixture.clock.advance(SESSION_IDLE_MS / 2);
        assert.equal((await staffGet(fixture, busy, '/staff/alerts')).statusCode, 200, `still at work after ${n * 7.5} minutes`);
      }
      fixture.clock.advance(SESSION_IDLE_MS / 2);
      assert.equal((await staffGet(fixture, busy, '/staff')).statusCode, 302, 'the shift is over');

      const watching = await staffSession(fixture, 'viewer');
      const live = await staffGet(fixture, watching, '/staff/charges');
      assert.match(String(live.headers.refresh), /^5; url=\/staff\/charges\?refresh=auto$/);
      for (let n = 0; n < 3; n++) {
        fixture.clock.advance(SESSION_IDLE_MS / 3 - 1000);
        assert.equal((await staffGet(fixture, watching, '/staff/charges?refresh=auto')).statusCode, 200);
      }
      fixture.clock.advance(3000);
      assert.equal((await staffGet(fixture, watching, '/staff/charges?refresh=auto')).statusCode, 302, 'reloads alone do not keep it');
    });

    test('logging out needs the form token, ends the session and is audited', async () => {
      const member = await enrolledMember('yoshida');
      const ok = await logIn({ login_id: 'yoshida', password: passwordOf('yoshida'), totp_code: await member.code() });
      const session = { furikae_staff: ok.cookies.find((c) => c.name === 'furikae_staff')!.value };
      const page = await formToken(fixture, '/staff', session);
      const forged = await fixture.bank.app.inject({ method: 'POST', url: '/staff/logout', cookies: page.cookies, headers: FORM_HEADERS, payload: formBody({ csrf: 'forged' }) });
      assert.equal(forged.statusCode, 403);
      assert.equal((await fixture.bank.app.inject({ method: 'GET', url: '/staff', cookies: session })).statusCode, 200, 'a forged logout ends nothing');
      const out = await fixture.bank.app.inject({ method: 'POST', url: '/staff/logout', cookies: page.cookies, headers: FORM_HEADERS, payload: formBody({ csrf: page.csrf }) });
      assert.equal(out.statusCode, 303);
      assert.equal((await fixture.bank.app.inject({ method: 'GET', url: '/staff', cookies: session })).statusCode, 302, 'the session ended');
      assert.equal((await entriesFor(member.id)).at(-1)?.action, 'staff.logout');
    });
  });
}
