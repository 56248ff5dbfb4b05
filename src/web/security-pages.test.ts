import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { generate } from 'otplib';
import { testBackends, type TestBackend } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { hashToken } from '../shared/secret-hash.ts';
import { SESSION_TTL_MS, type SessionKind } from './session-store.ts';

const PHONE = '090-1111-2222';
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

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const errorText = (body: string) => /<p class="error" role="alert">([^<]*)<\/p>/.exec(body)?.[1];

async function withFixture(backend: TestBackend, run: (fixture: BankFixture) => Promise<void>) {
  const fixture = await createBankFixture(backend);
  try {
    await run(fixture);
  } finally {
    await fixture.close();
  }
}

for (const backend of testBackends) {
  describe(`the customer security page on ${backend.name}`, { skip: backend.skip }, () => {
    test('without a session the security page sends the customer to log in', async () => {
      await withFixture(backend, async (fixture) => {
        const response = await fixture.bank.app.inject({ method: 'GET', url: '/bank/security' });
        assert.equal(response.statusCode, 302);
        assert.equal(response.headers.location, '/bank/login');
      });
    });

    test('a customer registers an authenticator app with a code from the app and an SMS code to the registered phone', async () => {
      await withFixture(backend, async (fixture) => {
        const { app } = fixture.bank;
        const { cookies, csrf } = await session(fixture, 'customer', fixture.customer.id);
        const first = await app.inject({ method: 'GET', url: '/bank/security', cookies });
        assert.equal(first.statusCode, 200);
        assert.match(first.body, /data-factor="sms"/);
        assert.match(first.body, /\*{7}2222/, 'the phone is masked');
        assert.match(first.body, /id="start-totp"/);

        const start = await app.inject({ method: 'POST', url: '/bank/security/totp/start', cookies, headers: FORM, payload: form({ csrf }) });
        assert.equal(start.statusCode, 303);
        const smsCode = fixture.sms.lastCode(PHONE, 'enrol_totp');
        assert.ok(smsCode);

        const pending = await app.inject({ method: 'GET', url: '/bank/security', cookies });
        const secret = /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(pending.body)?.[1];
        assert.ok(secret);
        assert.match(pending.body, /href="otpauth:\/\/totp\/[^"]*secret=[A-Z2-7]+&amp;/, 'the URI is escaped in the attribute');

        const totpCode = await generate({ secret, epoch: Math.floor(fixture.clock.now().getTime() / 1000) });
        const confirm = await app.inject({
          method: 'POST', url: '/bank/security/totp/confirm', cookies, headers: FORM, payload: form({ csrf, totp_code: totpCode, sms_code: smsCode }),
        });
        assert.equal(confirm.statusCode, 303);
        assert.equal(confirm.headers.location, '/bank/security?enrolled=1');
        const done = await app.inject({ method: 'GET', url: '/bank/security?enrolled=1', cookies });
        assert.match(done.body, /data-factor="totp"[\s\S]*?data-status="active"/);
        assert.doesNotMatch(done.body, new RegExp(secret), 'the secret is never shown again');
        assert.equal(fixture.sms.messages(PHONE).at(-1)?.purpose, 'second_factor_enrolled');
      });
    });

    test('a form without the session’s CSRF token is refused and registers nothing', async () => {
      await withFixture(backend, async (fixture) => {
        const { cookies, csrf } = await session(fixture, 'customer', fixture.customer.id);
        for (const forged of ['', 'x'.repeat(csrf.length), `${csrf}x`]) {
          const response = await fixture.bank.app.inject({ method: 'POST', url: '/bank/security/totp/start', cookies, headers: FORM, payload: form({ csrf: forged }) });
          assert.equal(response.statusCode, 403);
        }
        const confirm = await fixture.bank.app.inject({
          method: 'POST', url: '/bank/security/totp/confirm', cookies, headers: FORM, payload: form({ csrf: 'forged', totp_code: '123456', sms_code: '123456' }),
        });
        assert.equal(confirm.statusCode, 403);
        assert.equal((await fixture.bank.services.secondFactors.listFactors(fixture.customer.id)).some((f) => f.factor === 'totp'), false);
        assert.equal(fixture.sms.messages(PHONE).length, 0, 'no code was sent');
      });
    });

    test('a wrong app code and a wrong SMS code get the same message, which never says which was wrong', async () => {
      await withFixture(backend, async (fixture) => {
        const { app, services } = fixture.bank;
        const { cookies, csrf } = await session(fixture, 'customer', fixture.customer.id);
        await app.inject({ method: 'POST', url: '/bank/security/totp/start', cookies, headers: FORM, payload: form({ csrf }) });
        const pending = await services.secondFactors.pendingTotpEnrolment(fixture.customer.id);
        const smsCode = fixture.sms.lastCode(PHONE, 'enrol_totp')!;
        const totpCode = await generate({ secret: pending!.secret, epoch: Math.floor(fixture.clock.now().getTime() / 1000) });
        const wrongTotp = totpCode === '000000' ? '000001' : '000000';
        const wrongSms = smsCode === '000000' ? '000001' : '000000';
        const confirm = (totp_code: string, sms_code: string) =>
          app.inject({ method: 'POST', url: '/bank/security/totp/confirm', cookies, headers: FORM, payload: form({ csrf, totp_code, sms_code }) });
        const badApp = await confirm(wrongTotp, smsCode);
        const badSms = await confirm(totpCode, wrongSms);
        assert.equal(badApp.statusCode, 401);
        assert.equal(badSms.statusCode, 401);
        assert.ok(errorText(badApp.body));
        assert.equal(errorText(badApp.body), errorText(badSms.body));
        assert.equal((await services.secondFactors.listFactors(fixture.customer.id)).find((f) => f.factor === 'totp')?.status, 'pending');
      });
    });
  });
}
