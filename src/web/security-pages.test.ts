import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { customerSession, sessionGet, sessionPost } from '../testing/staff-session.ts';
import { createSoftwareAuthenticator, passkeyOptionsIn as passkeyOptions } from '../testing/software-authenticator.ts';
import { enrolAuthenticatorApp } from '../testing/totp-enrolment.ts';
import { NEW_FACTOR_COOLING_OFF_MS } from '../mfa/factor-policy.ts';



const errorText = (body: string) => /<p class="error" role="alert">([^<]*)<\/p>/.exec(body)?.[1];

let customersMade = 0;

/** A customer of this test alone, with a session: the tests share one bank per backend. */
async function newCustomer(fixture: BankFixture) {
  const n = ++customersMade;
  const phone = `070-0000-${String(n).padStart(4, '0')}`;
  const customer = await fixture.bank.services.core.openCustomer({
    name_kanji: '鈴木 美咲', name_kana: 'スズキ ミサキ', birth_date: '1995-07-21', phone,
    email: `page${n}@example.jp`, address: '岡山', login_id: `page${n}`, password: 'page password 2026',
  });
  return { phone, ...(await customerSession(fixture, customer.id)) };
}

for (const backend of testBackends) {
  describe(`the customer security page on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend);
    });
    after(() => fixture?.close());

    test('without a session the security page sends the customer to log in', async () => {
      const response = await fixture.bank.app.inject({ method: 'GET', url: '/bank/security' });
      assert.equal(response.statusCode, 302);
      assert.equal(response.headers.location, '/bank/login');
    });

    test('a customer registers an authenticator app with a code from the app and an SMS code to the registered phone', async () => {
      const customer = await newCustomer(fixture);
      const first = await sessionGet(fixture, customer, '/bank/security');
      assert.equal(first.statusCode, 200);
      assert.match(first.body, /data-factor="sms"/);
      assert.match(first.body, new RegExp(`\\*{7}${customer.phone.slice(-4)}`), 'the phone is masked');
      assert.ok(!first.body.includes(customer.phone));
      assert.match(first.body, /id="start-totp"/);

      const start = await sessionPost(fixture, customer, '/bank/security/totp/start');
      assert.equal(start.statusCode, 303);
      const smsCode = fixture.sms.lastCode(customer.phone, 'enrol_totp');
      assert.ok(smsCode);

      const pending = await sessionGet(fixture, customer, '/bank/security');
      const secret = /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(pending.body)?.[1];
      assert.ok(secret);
      assert.match(pending.body, /href="otpauth:\/\/totp\/[^"]*secret=[A-Z2-7]+&amp;/, 'the URI is escaped in the attribute');

      const totpCode = await generate({ secret, epoch: Math.floor(fixture.clock.now().getTime() / 1000) });
      const confirm = await sessionPost(fixture, customer, '/bank/security/totp/confirm', { totp_code: totpCode, sms_code: smsCode });
      assert.equal(confirm.statusCode, 303);
      assert.equal(confirm.headers.location, '/bank/security?enrolled=1');
      const done = await sessionGet(fixture, customer, '/bank/security?enrolled=1');
      assert.match(done.body, /data-factor="totp"[\s\S]*?data-status="active"/);
      assert.doesNotMatch(done.body, new RegExp(secret), 'the secret is never shown again');
      assert.equal(fixture.sms.messages(customer.phone).at(-1)?.purpose, 'second_factor_enrolled');
    });

    test('a form without the session’s CSRF token is refused and registers nothing', async () => {
      const customer = await newCustomer(fixture);
      const { csrf } = customer;
      const before = await fixture.snapshot();
      for (const forged of ['', 'x'.repeat(csrf.length), `${csrf}x`]) {
        const response = await sessionPost(fixture, customer, '/bank/security/totp/start', { csrf: forged });
        assert.equal(response.statusCode, 403);
      }
      const confirm = await sessionPost(fixture, customer, '/bank/security/totp/confirm', { csrf: 'forged', totp_code: '123456', sms_code: '123456' });
      assert.equal(confirm.statusCode, 403);
      await fixture.assertNothingWritten(before);
      assert.equal((await fixture.bank.services.secondFactors.listFactors(customer.id)).some((f) => f.factor === 'totp'), false);
      assert.equal(fixture.sms.messages(customer.phone).length, 0, 'no code was sent');
    });

    test('a wrong app code and a wrong SMS code get the same message, which never says which was wrong', async () => {
      const { services } = fixture.bank;
      const customer = await newCustomer(fixture);
      await sessionPost(fixture, customer, '/bank/security/totp/start');
      const pending = await services.secondFactors.pendingTotpEnrolment(customer.id);
      const smsCode = fixture.sms.lastCode(customer.phone, 'enrol_totp')!;
      const totpCode = await generate({ secret: pending!.secret, epoch: Math.floor(fixture.clock.now().getTime() / 1000) });
      const wrongTotp = totpCode === '000000' ? '000001' : '000000';
      const wrongSms = smsCode === '000000' ? '000001' : '000000';
      const confirm = (totp_code: string, sms_code: string) => sessionPost(fixture, customer, '/bank/security/totp/confirm', { totp_code, sms_code });
      const badApp = await confirm(wrongTotp, smsCode);
      const badSms = await confirm(totpCode, wrongSms);
      assert.equal(badApp.statusCode, 401);
      assert.equal(badSms.statusCode, 401);
      assert.ok(errorText(badApp.body));
      assert.equal(errorText(badApp.body), errorText(badSms.body));
      assert.equal((await services.secondFactors.listFactors(customer.id)).find((f) => f.factor === 'totp')?.status, 'pending');
    });

    test('a customer adds a passkey with an SMS code and the browser\'s answer, sees it listed, and removes it with another code', async () => {
      const customer = await newCustomer(fixture);
      const authenticator = createSoftwareAuthenticator({ origin: 'http://bank.test', rp_id: 'bank.test' });
      const page = await sessionGet(fixture, customer, '/bank/security');
      assert.match(page.body, /id="no-passkeys"/);
      assert.ok(!page.body.includes('data-passkey-options'), 'no challenge is issued until the customer asks to add one');
      const adding = await sessionGet(fixture, customer, '/bank/security?add=passkey');
      const options = passkeyOptions(adding.body);
      assert.equal(options.authenticatorSelection.userVerification, 'required');
      assert.match(adding.body, /<script src="\/assets\/simplewebauthn-browser\.[0-9a-f]{12}\.js"><\/script><script src="\/assets\/passkey-prompt\.[0-9a-f]{12}\.js">/);
      const sent = await sessionPost(fixture, customer, '/bank/security/passkeys/sms', { purpose: 'enrol_passkey' });
      assert.equal(sent.statusCode, 200);
      const code = fixture.sms.lastCode(customer.phone, 'enrol_passkey');
      assert.ok(code);
      assert.match(fixture.sms.messages(customer.phone).at(-1)!.text, /registering a passkey/, 'the code says what it approves');

      const wrong = await sessionPost(fixture, customer, '/bank/security/passkeys', { name: 'My phone', factor: 'sms', code: code === '000000' ? '000001' : '000000', passkey_response: JSON.stringify(authenticator.register(options)) });
      assert.equal(wrong.statusCode, 401);
      assert.deepEqual(await fixture.bank.services.secondFactors.listPasskeys(customer.id), []);

      const again = passkeyOptions((await sessionGet(fixture, customer, '/bank/security?add=passkey')).body);
      const added = await sessionPost(fixture, customer, '/bank/security/passkeys', { name: 'My phone', factor: 'sms', code, passkey_response: JSON.stringify(authenticator.register(again)) });
      assert.equal(added.statusCode, 303, added.body.slice(0, 300));
      assert.equal(added.headers.location, '/bank/security?passkey=added');
      const listed = await sessionGet(fixture, customer, '/bank/security?passkey=added');
      assert.match(listed.body, /<td class="passkey-name">My phone<\/td>/);
      assert.match(listed.body, /<tr data-factor="passkey">/);
      const [passkey] = await fixture.bank.services.secondFactors.listPasskeys(customer.id);
      assert.ok(passkey);

      fixture.clock.advance(61_000);
      await sessionPost(fixture, customer, '/bank/security/passkeys/sms', { purpose: 'remove_passkey', passkey_id: passkey.id });
      const removal_code = fixture.sms.lastCode(customer.phone, 'remove_passkey');
      assert.ok(removal_code);
      const enrol_code_reused = await sessionPost(fixture, customer, `/bank/security/passkeys/${passkey.id}/remove`, { factor: 'sms', code });
      assert.equal(enrol_code_reused.statusCode, 401, 'the spent enrolment code removes nothing');
      const removed = await sessionPost(fixture, customer, `/bank/security/passkeys/${passkey.id}/remove`, { factor: 'sms', code: removal_code });
      assert.equal(removed.statusCode, 303);
      assert.deepEqual(await fixture.bank.services.secondFactors.listPasskeys(customer.id), []);
    });

    test('a registration answered for another session\'s challenge is refused with its code and stores nothing', async () => {
      const customer = await newCustomer(fixture);
      const other_session = await customerSession(fixture, customer.id);
      const authenticator = createSoftwareAuthenticator({ origin: 'http://bank.test', rp_id: 'bank.test' });
      const options = passkeyOptions((await sessionGet(fixture, other_session, '/bank/security?add=passkey')).body);
      await sessionPost(fixture, customer, '/bank/security/passkeys/sms', { purpose: 'enrol_passkey' });
      const code = fixture.sms.lastCode(customer.phone, 'enrol_passkey')!;
      const refused = await sessionPost(fixture, customer, '/bank/security/passkeys', { name: 'Stolen', factor: 'sms', code, passkey_response: JSON.stringify(authenticator.register(options)) });
      assert.equal(refused.statusCode, 401);
      assert.match(errorText(refused.body) ?? '', /このページのものではありません/);
      assert.deepEqual(await fixture.bank.services.secondFactors.listPasskeys(customer.id), []);
      for (const name of ['', '   ', 'x'.repeat(65)]) {
        const bad = await sessionPost(fixture, customer, '/bank/security/passkeys', { name, factor: 'sms', code, passkey_response: '{}' });
        assert.equal(bad.statusCode, 400, `name ${JSON.stringify(name)}`);
      }
    });

    test('a SIM swapped within the window cannot vouch for a new authenticator: no code is sent, nothing is registered, staff are alerted', async () => {
      const customer = await newCustomer(fixture);
      fixture.simSwap.swapSim(customer.phone);
      const start = await sessionPost(fixture, customer, '/bank/security/totp/start');
      assert.equal(start.statusCode, 403);
      assert.match(start.body, /SIM/);
      assert.equal(fixture.sms.lastCode(customer.phone, 'enrol_totp'), undefined, 'no code went to the swapped SIM');
      const rows = await fixture.db.query(`SELECT 1 FROM second_factors WHERE customer_id = $1 AND factor = 'totp'`, [customer.id]);
      assert.equal(rows.length, 0, 'no enrolment was started');
      const alerts = await fixture.db.query<{ reason_codes: string[] }>(`SELECT reason_codes FROM alerts WHERE customer_id = $1 AND kind = 'sim_swap_detected'`, [customer.id]);
      assert.ok(alerts.some((alert) => alert.reason_codes.includes('sms_refused_for_enrol_factor')));
    });

    test('a SIM swapped between the start and the confirmation refuses the SMS code that vouches, and the app stays unregistered', async () => {
      const customer = await newCustomer(fixture);
      assert.equal((await sessionPost(fixture, customer, '/bank/security/totp/start')).statusCode, 303);
      const smsCode = fixture.sms.lastCode(customer.phone, 'enrol_totp')!;
      const pending = await sessionGet(fixture, customer, '/bank/security');
      const secret = /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(pending.body)![1]!;
      fixture.simSwap.swapSim(customer.phone);
      const totpCode = await generate({ secret, epoch: Math.floor(fixture.clock.now().getTime() / 1000) });
      const confirm = await sessionPost(fixture, customer, '/bank/security/totp/confirm', { totp_code: totpCode, sms_code: smsCode });
      assert.equal(confirm.statusCode, 403);
      const [row] = await fixture.db.query<{ status: string }>(`SELECT status FROM second_factors WHERE customer_id = $1 AND factor = 'totp'`, [customer.id]);
      assert.equal(row?.status, 'pending');
    });

    test('password and SMS cannot start registering another factor once an authenticator is established; the page says a branch recovers a lost one', async () => {
      const customer = await newCustomer(fixture);
      await enrolAuthenticatorApp({ secondFactors: fixture.bank.services.secondFactors, clock: fixture.clock, db: fixture.db }, customer.id);
      const texts_before = fixture.sms.messages(customer.phone).length;
      const start = await sessionPost(fixture, customer, '/bank/security/totp/start');
      assert.equal(start.statusCode, 403);
      assert.equal(fixture.sms.messages(customer.phone).length, texts_before, 'no code was sent');
      assert.equal((await fixture.bank.services.factorGate.permit(customer.id, 'enrol_factor', 'sms')).ok, false, 'the policy refuses SMS as the voucher for any new factor');
      const page = await sessionGet(fixture, customer, '/bank/security?lang=en');
      assert.match(page.body, /id="factor-recovery"[^>]*>[^<]*branch/);
    });

    test('a newly registered authenticator shows until when it cannot approve payments', async () => {
      const customer = await newCustomer(fixture);
      await enrolAuthenticatorApp({ secondFactors: fixture.bank.services.secondFactors, clock: fixture.clock, db: fixture.db }, customer.id, { cooling_off: true });
      const page = await sessionGet(fixture, customer, '/bank/security?lang=en');
      const until = /data-cooling-off-until="([^"]+)"/.exec(page.body)?.[1];
      assert.equal(until, new Date(fixture.clock.now().getTime() + NEW_FACTOR_COOLING_OFF_MS).toISOString());
    });
  });
}
