import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { generate } from 'otplib';
import { testBackends, type TestBackend } from '../testing/test-databases.ts';
import { migrate } from '../storage/migrate.ts';
import { ledgerMigrations } from '../ledger/ledger-migrations.ts';
import { bankMigrations } from '../bank/bank-migrations.ts';
import type { Database } from '../storage/database.ts';
import { ManualClock } from '../shared/clock.ts';
import { createIds, type Ids } from '../shared/ids.ts';
import { createSmsSimulator } from '../notify/sms-simulator.ts';
import { mfaMigrations } from './mfa-migrations.ts';
import { createSmsCustomerNotifier, type NotifyCustomer } from './notify-customer.ts';
import {
  createSecondFactors, type SecondFactorsDeps, SECOND_FACTOR_FAILURES_MAX, SMS_CODE_TTL_MS, SMS_RESEND_INTERVAL_MS, SMS_CODES_PER_CUSTOMER_PER_HOUR_MAX,
  TOTP_ENROLMENT_CONFIRMATIONS_MAX, TOTP_ENROLMENT_TTL_MS,
} from './second-factors.ts';
import { TOTP_PERIOD_SECONDS } from './totp-code.ts';
import { createPasskeys } from './passkeys.ts';
import { passkeyRelyingParty } from './passkey-relying-party.ts';
import type { NewAlert } from '../cases/alert.ts';

/** The start of a 30-second TOTP step, so "the same step" and "the next step" are exact in the tests. */
const START = '2026-11-10T01:00:00Z';
const STEP_MS = TOTP_PERIOD_SECONDS * 1000;

let customersMade = 0;

async function addCustomer(db: Database, ids: Ids, clock: ManualClock): Promise<{ id: string; phone: string }> {
  const id = ids.next();
  customersMade += 1;
  const phone = `090-0000-${String(customersMade).padStart(4, '0')}`;
  await db.query(
    `INSERT INTO customers (id, name_kanji, name_kana, birth_date, phone, email, address, login_id, password_hash, created_at, phone_set_at)
     VALUES ($1, '山田 花子', 'ヤマダ ハナコ', '1948-03-15', $2, $3, '仙台', $4, 'scrypt$unused', $5, $5)`,
    [id, phone, `c${customersMade}@example.jp`, `customer${customersMade}`, clock.now()],
  );
  return { id, phone };
}

/** One migrated database per backend; each test makes its own customer, so tests share only the clock and the logs. */
async function openSharedDatabase(backend: TestBackend) {
  const db = await backend.open();
  await migrate(db, [ledgerMigrations, bankMigrations, mfaMigrations]);
  const clock = new ManualClock(START);
  const ids = createIds(clock);
  const lines: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } }));
  const sms = createSmsSimulator({ clock });
  return { db, clock, ids, lines, log, sms };
}

/** A new customer with the second-factor service and code helpers, over the shared database. */
async function newCustomer(shared: Awaited<ReturnType<typeof openSharedDatabase>>, options: { notify?: NotifyCustomer; raiseAlerts?: SecondFactorsDeps['raiseAlerts'] } = {}) {
  const { db, clock, ids, sms, log } = shared;
  // Every test starts at the beginning of a 30-second step, so "this step" and "the next step" are exact.
  clock.advance(STEP_MS - (clock.now().getTime() % STEP_MS));
  const notifyCustomer = options.notify ?? createSmsCustomerNotifier({ db, sms, log });
  const passkeys = createPasskeys({ db, clock, ids, log, relying_party: passkeyRelyingParty('https://bank.example') });
  const factors = createSecondFactors({ db, clock, ids, sms, log, notifyCustomer, passkeys, ...(options.raiseAlerts ? { raiseAlerts: options.raiseAlerts } : {}) });
  const { id: customer_id, phone } = await addCustomer(db, ids, clock);
  /** The app's code for `secret` at the clock's time (or `offset_ms` from it). */
  const totp = (secret: string, offset_ms = 0) => generate({ secret, epoch: Math.floor((clock.now().getTime() + offset_ms) / 1000) });
  /** A six-digit code that is right for no step near now. */
  const wrongTotp = async (secret: string) => {
    const near = new Set([await totp(secret, -STEP_MS), await totp(secret), await totp(secret, STEP_MS)]);
    for (let n = 0; ; n++) {
      const candidate = String(n).padStart(6, '0');
      if (!near.has(candidate)) return candidate;
    }
  };
  /** Enrols an authenticator and moves the clock to the next step (the enrolment code's step is spent). */
  const enrolTotp = async () => {
    const started = await factors.startTotpEnrolment(customer_id);
    assert.ok(started.ok);
    assert.deepEqual(await factors.confirmTotpEnrolment(customer_id, await totp(started.secret)), { ok: true });
    clock.advance(STEP_MS);
    return started.secret;
  };
  return { ...shared, factors, customer_id, phone, totp, wrongTotp, enrolTotp };
}

for (const backend of testBackends) {
  describe(`second factors on ${backend.name}`, { skip: backend.skip }, () => {
    let shared: Awaited<ReturnType<typeof openSharedDatabase>>;
    before(async () => {
      shared = await openSharedDatabase(backend);
    });
    after(() => shared?.db.close());

    test('an authenticator app enrolled with a code from the app then verifies codes at the clock’s time', async () => {
      const t = await newCustomer(shared);
      const started = await t.factors.startTotpEnrolment(t.customer_id);
      assert.ok(started.ok);
      assert.match(started.secret, /^[A-Z2-7]{32}$/, '160 random bits in base32');
      assert.ok(started.otpauth_uri.startsWith('otpauth://totp/'));
      assert.ok(started.otpauth_uri.includes(`secret=${started.secret}`));
      assert.equal(started.expires_at.getTime(), t.clock.now().getTime() + TOTP_ENROLMENT_TTL_MS);
      assert.equal((await t.factors.listFactors(t.customer_id)).find((f) => f.factor === 'totp')?.status, 'pending');
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: await t.totp(started.secret) }),
        { ok: false, code: 'second_factor_failed' }, 'a pending authenticator verifies nothing');

      assert.deepEqual(await t.factors.confirmTotpEnrolment(t.customer_id, await t.totp(started.secret)), { ok: true });
      const totp = (await t.factors.listFactors(t.customer_id)).find((f) => f.factor === 'totp');
      assert.equal(totp?.status, 'active');
      assert.equal(t.sms.messages(t.phone).at(-1)?.purpose, 'second_factor_enrolled', 'the customer hears of a new authenticator');

      t.clock.advance(STEP_MS);
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: await t.totp(started.secret) }), { ok: true, factor: 'totp' });
    });

    test('a TOTP code is refused when replayed within its window, and so is an older one after a newer was used', async () => {
      const t = await newCustomer(shared);
      const secret = await t.enrolTotp();
      const previous = await t.totp(secret, -STEP_MS);
      const current = await t.totp(secret);
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: current }), { ok: true, factor: 'totp' });
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: current }), { ok: false, code: 'second_factor_failed' });
      t.clock.advance(STEP_MS - 1);
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: current }), { ok: false, code: 'second_factor_failed' });
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: previous }), { ok: false, code: 'second_factor_failed' });
    });

    test('the previous step’s code is still accepted, the one before it and the next step’s are not', async () => {
      const t = await newCustomer(shared);
      const secret = await t.enrolTotp();
      t.clock.advance(10 * STEP_MS);
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: await t.totp(secret, -2 * STEP_MS) }), { ok: false, code: 'second_factor_failed' });
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: await t.totp(secret, STEP_MS) }), { ok: false, code: 'second_factor_failed' });
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: await t.totp(secret, -STEP_MS) }), { ok: true, factor: 'totp' });
    });

    test('four failures and then a success start the count again', async () => {
      const t = await newCustomer(shared);
      const secret = await t.enrolTotp();
      const wrong = await t.wrongTotp(secret);
      for (let i = 0; i < SECOND_FACTOR_FAILURES_MAX - 1; i++) {
        assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: wrong }), { ok: false, code: 'second_factor_failed' });
      }
      assert.equal((await t.factors.listFactors(t.customer_id)).find((f) => f.factor === 'totp')?.failures_consecutive, SECOND_FACTOR_FAILURES_MAX - 1);
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: await t.totp(secret) }), { ok: true, factor: 'totp' });
      assert.equal((await t.factors.listFactors(t.customer_id)).find((f) => f.factor === 'totp')?.failures_consecutive, 0);
      for (let i = 0; i < SECOND_FACTOR_FAILURES_MAX - 1; i++) {
        assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: wrong }), { ok: false, code: 'second_factor_failed' });
      }
      t.clock.advance(STEP_MS);
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: await t.totp(secret) }), { ok: true, factor: 'totp' });
    });

    test('the fifth failure locks the factor, the sixth attempt is refused as locked even with the right code, and the customer gets an SMS', async () => {
      const t = await newCustomer(shared);
      const secret = await t.enrolTotp();
      const wrong = await t.wrongTotp(secret);
      for (let i = 1; i < SECOND_FACTOR_FAILURES_MAX; i++) {
        assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: wrong }), { ok: false, code: 'second_factor_failed' }, `failure ${i}`);
      }
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: wrong }), { ok: false, code: 'second_factor_locked' }, 'the fifth failure locks');
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: await t.totp(secret) }), { ok: false, code: 'second_factor_locked' }, 'the right code is refused too');

      const notice = t.sms.messages(t.phone).at(-1);
      assert.equal(notice?.purpose, 'second_factor_locked');
      assert.doesNotMatch(notice!.text, /\b\d{6}\b/, 'the notice carries no code');
      const totp = (await t.factors.listFactors(t.customer_id)).find((f) => f.factor === 'totp');
      assert.equal(totp?.status, 'locked');
      assert.deepEqual((await t.factors.listLocked()).filter((f) => f.customer_id === t.customer_id).map((f) => f.factor), ['totp']);
      const events = await t.db.query<{ event: string; actor: string }>(`SELECT event, actor FROM second_factor_events WHERE customer_id = $1 ORDER BY id`, [t.customer_id]);
      assert.deepEqual(events, [{ event: 'enrolled', actor: 'customer' }, { event: 'locked', actor: 'system' }]);
      assert.equal((await t.factors.listFactors(t.customer_id)).find((f) => f.factor === 'sms')?.status, 'active', 'only the factor tried locks');
    });

    test('a lock raises one staff alert naming the customer and the factor, inside the lock’s transaction; failures before it raise none', async () => {
      const raised: { in_transaction: boolean; alerts: readonly NewAlert[] }[] = [];
      const t = await newCustomer(shared, {
        raiseAlerts: async (tx, alerts) => void raised.push({ in_transaction: tx !== shared.db, alerts }),
      });
      const secret = await t.enrolTotp();
      const wrong = await t.wrongTotp(secret);
      for (let i = 1; i < SECOND_FACTOR_FAILURES_MAX; i++) await t.factors.verify(t.customer_id, { factor: 'totp', code: wrong });
      assert.equal(raised.length, 0, 'four failures are not yet a lock');
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: wrong }), { ok: false, code: 'second_factor_locked' });
      assert.equal(raised.length, 1);
      assert.equal(raised[0]!.in_transaction, true, 'raised with the lock, so a lock never exists without its alert');
      assert.deepEqual(raised[0]!.alerts.map((alert) => [alert.kind, alert.customer_id, alert.reason_codes]), [['second_factor_locked', t.customer_id, ['totp_locked']]]);
      await t.factors.verify(t.customer_id, { factor: 'totp', code: wrong });
      assert.equal(raised.length, 1, 'an attempt on a locked factor raises nothing more');
    });

    test('only an explicit staff unlock, recorded with who did it, makes a locked factor work again', async () => {
      const t = await newCustomer(shared);
      const secret = await t.enrolTotp();
      const wrong = await t.wrongTotp(secret);
      for (let i = 0; i < SECOND_FACTOR_FAILURES_MAX; i++) await t.factors.verify(t.customer_id, { factor: 'totp', code: wrong });
      t.clock.advance(24 * 60 * 60 * 1000);
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: await t.totp(secret) }), { ok: false, code: 'second_factor_locked' }, 'time alone does not unlock');
      const staff_id = t.ids.next();
      assert.equal(await t.factors.unlock(t.customer_id, 'totp', { by: staff_id }), true);
      assert.equal(await t.factors.unlock(t.customer_id, 'totp', { by: staff_id }), false, 'unlocking twice changes nothing');
      assert.equal(await t.factors.unlock(t.customer_id, 'sms', { by: staff_id }), false, 'a factor that is not locked is not unlocked');
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: await t.totp(secret) }), { ok: true, factor: 'totp' });
      const [event] = await t.db.query<{ actor: string }>(`SELECT actor FROM second_factor_events WHERE event = 'unlocked' AND customer_id = $1`, [t.customer_id]);
      assert.equal(event?.actor, `staff:${staff_id}`);
      assert.deepEqual((await t.factors.listLocked()).filter((f) => f.customer_id === t.customer_id), []);
    });

    test('every failed attempt gives the same answer, whatever was wrong', async () => {
      const t = await newCustomer(shared);
      const failed = { ok: false, code: 'second_factor_failed' };
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: '123456' }), failed, 'no authenticator enrolled');
      const secret = await t.enrolTotp();
      for (const code of [await t.wrongTotp(secret), '', '12345', '1234567', '12a456', ' 123456', '１２３４５６']) {
        assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code }), failed, JSON.stringify(code));
        // A success between bad inputs keeps the factor below its lock, so each answer is the plain failure.
        t.clock.advance(STEP_MS);
        assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: await t.totp(secret) }), { ok: true, factor: 'totp' });
      }
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'sms', code: '123456' }), failed, 'no SMS code was sent');
      assert.deepEqual(await t.factors.verify(t.ids.next(), { factor: 'sms', code: '123456' }), failed, 'no such customer');
      assert.deepEqual(await t.factors.verify('not-a-uuid', { factor: 'totp', code: '123456' }), failed);
    });

    test('a pending enrolment may be restarted with a new secret, but an active authenticator cannot be replaced', async () => {
      const t = await newCustomer(shared);
      const first = await t.factors.startTotpEnrolment(t.customer_id);
      const second = await t.factors.startTotpEnrolment(t.customer_id);
      assert.ok(first.ok && second.ok);
      assert.notEqual(first.secret, second.secret);
      assert.deepEqual(await t.factors.confirmTotpEnrolment(t.customer_id, await t.totp(first.secret)), { ok: false, code: 'second_factor_failed' }, 'the replaced secret is gone');
      assert.equal((await t.factors.pendingTotpEnrolment(t.customer_id))?.secret, second.secret);
      assert.deepEqual(await t.factors.confirmTotpEnrolment(t.customer_id, await t.totp(second.secret)), { ok: true });
      assert.deepEqual(await t.factors.startTotpEnrolment(t.customer_id), { ok: false, code: 'totp_already_enrolled' });
      assert.equal(await t.factors.pendingTotpEnrolment(t.customer_id), undefined);
      assert.deepEqual(await t.factors.confirmTotpEnrolment(t.customer_id, await t.totp(second.secret)), { ok: false, code: 'totp_enrolment_not_started' });
    });

    test('a pending enrolment can be confirmed until ten minutes have passed and not at ten minutes', async () => {
      const t = await newCustomer(shared);
      const started = await t.factors.startTotpEnrolment(t.customer_id);
      assert.ok(started.ok);
      t.clock.advance(TOTP_ENROLMENT_TTL_MS);
      assert.equal(await t.factors.pendingTotpEnrolment(t.customer_id), undefined);
      assert.deepEqual(await t.factors.confirmTotpEnrolment(t.customer_id, await t.totp(started.secret)), { ok: false, code: 'totp_enrolment_not_started' });

      const again = await t.factors.startTotpEnrolment(t.customer_id);
      assert.ok(again.ok);
      t.clock.advance(TOTP_ENROLMENT_TTL_MS - 1);
      assert.deepEqual(await t.factors.confirmTotpEnrolment(t.customer_id, await t.totp(again.secret)), { ok: true });
    });

    test(`${TOTP_ENROLMENT_CONFIRMATIONS_MAX} wrong confirmation codes throw the pending secret away`, async () => {
      const t = await newCustomer(shared);
      const started = await t.factors.startTotpEnrolment(t.customer_id);
      assert.ok(started.ok);
      const wrong = await t.wrongTotp(started.secret);
      for (let i = 0; i < TOTP_ENROLMENT_CONFIRMATIONS_MAX; i++) {
        assert.deepEqual(await t.factors.confirmTotpEnrolment(t.customer_id, wrong), { ok: false, code: 'second_factor_failed' });
      }
      assert.deepEqual(await t.factors.confirmTotpEnrolment(t.customer_id, await t.totp(started.secret)), { ok: false, code: 'totp_enrolment_not_started' });
      assert.equal((await t.factors.listFactors(t.customer_id)).some((f) => f.factor === 'totp'), false);
    });

    test('with an existing factor required, a wrong SMS code leaves the app unregistered and the right one registers it', async () => {
      const t = await newCustomer(shared);
      const started = await t.factors.startTotpEnrolment(t.customer_id);
      assert.ok(started.ok);
      assert.ok((await t.factors.sendSmsCode(t.customer_id, 'enrol_totp')).ok);
      const smsCode = t.sms.lastCode(t.phone, 'enrol_totp')!;
      const wrongSms = smsCode === '000000' ? '000001' : '000000';
      const appCode = await t.totp(started.secret);
      assert.deepEqual(await t.factors.confirmTotpEnrolment(t.customer_id, appCode, { factor: 'sms', code: wrongSms, purpose: 'enrol_totp' }),
        { ok: false, code: 'second_factor_failed' });
      assert.equal((await t.factors.listFactors(t.customer_id)).find((f) => f.factor === 'totp')?.status, 'pending');
      assert.deepEqual(await t.factors.confirmTotpEnrolment(t.customer_id, await t.wrongTotp(started.secret), { factor: 'sms', code: smsCode, purpose: 'enrol_totp' }),
        { ok: false, code: 'second_factor_failed' });
      assert.deepEqual(await t.factors.confirmTotpEnrolment(t.customer_id, appCode, { factor: 'sms', code: smsCode, purpose: 'enrol_totp' }), { ok: true },
        'a wrong app code did not spend the SMS code');
      assert.equal((await t.factors.listFactors(t.customer_id)).find((f) => f.factor === 'totp')?.status, 'active');
    });

    test('an SMS code has six digits, goes to the registered phone, is stored only as a salted hash and works once', async () => {
      const t = await newCustomer(shared);
      const sent = await t.factors.sendSmsCode(t.customer_id, 'login');
      assert.ok(sent.ok);
      assert.equal(sent.expires_at.getTime(), t.clock.now().getTime() + SMS_CODE_TTL_MS);
      const code = t.sms.lastCode(t.phone, 'login');
      assert.match(code ?? '', /^[0-9]{6}$/);
      const [stored] = await t.db.query<{ code_hash: string }>(`SELECT code_hash FROM sms_codes WHERE customer_id = $1`, [t.customer_id]);
      assert.match(stored!.code_hash, /^scrypt\$/);
      assert.ok(!stored!.code_hash.includes(code!));
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'sms', code: code!, purpose: 'login' }), { ok: true, factor: 'sms' });
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'sms', code: code!, purpose: 'login' }), { ok: false, code: 'second_factor_failed' }, 'single use');
      assert.ok(t.lines.every((line) => !line.includes(code!)), 'no log line carries the code');
    });

    test('an SMS code works until just before its TTL runs out and not at the TTL', async () => {
      const t = await newCustomer(shared);
      await t.factors.sendSmsCode(t.customer_id, 'login');
      t.clock.advance(SMS_CODE_TTL_MS - 1);
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'sms', code: t.sms.lastCode(t.phone)! }), { ok: true, factor: 'sms' });
      t.clock.advance(SMS_RESEND_INTERVAL_MS);
      await t.factors.sendSmsCode(t.customer_id, 'login');
      t.clock.advance(SMS_CODE_TTL_MS);
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'sms', code: t.sms.lastCode(t.phone)! }), { ok: false, code: 'second_factor_failed' });
    });

    test('a code sent for one purpose does not approve another, and a newer code retires the older one', async () => {
      const t = await newCustomer(shared);
      await t.factors.sendSmsCode(t.customer_id, 'login');
      const loginCode = t.sms.lastCode(t.phone, 'login')!;
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'sms', code: loginCode, purpose: 'consent' }), { ok: false, code: 'second_factor_failed' });
      t.clock.advance(SMS_RESEND_INTERVAL_MS);
      await t.factors.sendSmsCode(t.customer_id, 'login');
      const newer = t.sms.lastCode(t.phone, 'login')!;
      if (newer !== loginCode) {
        assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'sms', code: loginCode, purpose: 'login' }), { ok: false, code: 'second_factor_failed' });
      }
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'sms', code: newer, purpose: 'login' }), { ok: true, factor: 'sms' });
    });

    test(`the SMS code after ${SMS_CODES_PER_CUSTOMER_PER_HOUR_MAX} in an hour is refused and nothing is sent, until the hour has passed`, async () => {
      const t = await newCustomer(shared);
      const first_at = t.clock.now().getTime();
      for (let i = 0; i < SMS_CODES_PER_CUSTOMER_PER_HOUR_MAX; i++) {
        assert.ok((await t.factors.sendSmsCode(t.customer_id, 'login')).ok);
        t.clock.advance(SMS_RESEND_INTERVAL_MS);
      }
      assert.deepEqual(await t.factors.sendSmsCode(t.customer_id, 'login'), { ok: false, code: 'too_many_attempts', resend_at: new Date(first_at + 60 * 60 * 1000) },
        'the refusal says when the first code leaves the hour');
      assert.equal(t.sms.messages(t.phone).length, SMS_CODES_PER_CUSTOMER_PER_HOUR_MAX);
      t.clock.advance(60 * 60 * 1000 - SMS_CODES_PER_CUSTOMER_PER_HOUR_MAX * SMS_RESEND_INTERVAL_MS);
      assert.ok((await t.factors.sendSmsCode(t.customer_id, 'login')).ok);
    });

    test(`a second code for one purpose within ${SMS_RESEND_INTERVAL_MS / 1000} s of the last is refused with the time it may be sent, and sent from then on; the next step's code goes at once`, async () => {
      const t = await newCustomer(shared);
      const sent = await t.factors.sendSmsCode(t.customer_id, 'login');
      assert.ok(sent.ok);
      const resend_at = new Date(t.clock.now().getTime() + SMS_RESEND_INTERVAL_MS);
      assert.deepEqual(sent.resend_at, resend_at, 'the page learns when it may offer a resend');
      assert.deepEqual(await t.factors.smsCodeSent(t.customer_id, 'login'), { sent_at: t.clock.now(), expires_at: sent.expires_at, resend_at, resend_in_ms: SMS_RESEND_INTERVAL_MS });
      assert.equal(await t.factors.smsCodeSent(t.customer_id, 'consent'), undefined, 'no code for another purpose');
      t.clock.advance(SMS_RESEND_INTERVAL_MS - 1);
      assert.deepEqual(await t.factors.sendSmsCode(t.customer_id, 'login'), { ok: false, code: 'too_many_attempts', resend_at });
      assert.equal(t.sms.messages(t.phone).length, 1, 'nothing more was sent');
      // Signed in with the first code, the customer asks for the consent's: another purpose, so no wait.
      assert.ok((await t.factors.sendSmsCode(t.customer_id, 'consent')).ok, 'the consent code after the sign-in goes at once');
      assert.equal(t.sms.messages(t.phone).length, 2);
      t.clock.advance(1);
      assert.ok((await t.factors.sendSmsCode(t.customer_id, 'login')).ok);
      assert.equal(t.sms.messages(t.phone).length, 3);
    });

    test('a locked SMS factor sends no more codes and refuses the last one sent', async () => {
      const t = await newCustomer(shared);
      await t.factors.sendSmsCode(t.customer_id, 'login');
      const code = t.sms.lastCode(t.phone)!;
      const wrong = code === '000000' ? '000001' : '000000';
      for (let i = 0; i < SECOND_FACTOR_FAILURES_MAX; i++) await t.factors.verify(t.customer_id, { factor: 'sms', code: wrong });
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'sms', code }), { ok: false, code: 'second_factor_locked' });
      const before = t.sms.messages(t.phone).length;
      assert.deepEqual(await t.factors.sendSmsCode(t.customer_id, 'login'), { ok: false, code: 'second_factor_locked' });
      assert.equal(t.sms.messages(t.phone).length, before);
      assert.equal(t.sms.messages(t.phone).at(-1)?.purpose, 'second_factor_locked');
    });

    test('a lock holds even when the customer cannot be notified', async () => {
      const t = await newCustomer(shared, { notify: async () => { throw new Error('SMS gateway down'); } });
      const secret = await t.enrolTotp();
      const wrong = await t.wrongTotp(secret);
      for (let i = 0; i < SECOND_FACTOR_FAILURES_MAX - 1; i++) await t.factors.verify(t.customer_id, { factor: 'totp', code: wrong });
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: wrong }), { ok: false, code: 'second_factor_locked' });
      assert.deepEqual(await t.factors.verify(t.customer_id, { factor: 'totp', code: await t.totp(secret) }), { ok: false, code: 'second_factor_locked' });
      assert.ok(t.lines.some((line) => line.includes('customer notification failed')));
    });

    test('no log line carries a TOTP secret or code', async () => {
      const t = await newCustomer(shared);
      const secret = await t.enrolTotp();
      const code = await t.totp(secret);
      await t.factors.verify(t.customer_id, { factor: 'totp', code });
      for (let i = 0; i < SECOND_FACTOR_FAILURES_MAX; i++) await t.factors.verify(t.customer_id, { factor: 'totp', code });
      assert.ok(t.lines.length > 0);
      assert.ok(t.lines.every((line) => !line.includes(secret) && !line.includes(code)));
    });
  });
}
