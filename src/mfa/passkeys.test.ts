import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { testBackends, type TestBackend } from '../testing/test-databases.ts';
import { migrate } from '../storage/migrate.ts';
import { ledgerMigrations } from '../ledger/ledger-migrations.ts';
import { bankMigrations } from '../bank/bank-migrations.ts';
import type { Database } from '../storage/database.ts';
import { ManualClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createSmsSimulator } from '../notify/sms-simulator.ts';
import type { NewAlert } from '../cases/alert.ts';
import { createSoftwareAuthenticator } from '../testing/software-authenticator.ts';
import { mfaMigrations } from './mfa-migrations.ts';
import { createSmsCustomerNotifier } from './notify-customer.ts';
import { createSecondFactors, SECOND_FACTOR_FAILURES_MAX } from './second-factors.ts';
import { createPasskeys, PASSKEY_CHALLENGE_TTL_MS, PASSKEY_CHALLENGES_LIVE_MAX } from './passkeys.ts';
import { passkeyRelyingParty } from './passkey-relying-party.ts';

const ORIGIN = 'https://bank.example';
const RP_ID = 'bank.example';
const SESSION = 'session:one';

let customersMade = 0;

async function open(backend: TestBackend) {
  const db = await backend.open();
  await migrate(db, [ledgerMigrations, bankMigrations, mfaMigrations]);
  const clock = new ManualClock('2026-12-01T01:00:00Z');
  const ids = createIds(clock);
  const log = pino({ level: 'silent' });
  const sms = createSmsSimulator({ clock });
  const alerts: NewAlert[] = [];
  const raiseAlerts = async (_tx: unknown, raised: readonly NewAlert[]) => { alerts.push(...raised); };
  const passkeys = createPasskeys({ db, clock, ids, log, relying_party: passkeyRelyingParty(ORIGIN), raiseAlerts });
  const factors = createSecondFactors({ db, clock, ids, sms, log, notifyCustomer: createSmsCustomerNotifier({ db, sms, log }), raiseAlerts, passkeys });
  return { db, clock, ids, sms, alerts, passkeys, factors };
}

type World = Awaited<ReturnType<typeof open>>;

async function addCustomer(w: World): Promise<{ id: string; phone: string }> {
  customersMade += 1;
  const id = w.ids.next();
  const phone = `080-1111-${String(customersMade).padStart(4, '0')}`;
  await w.db.query(
    `INSERT INTO customers (id, name_kanji, name_kana, birth_date, phone, email, address, login_id, password_hash, created_at, phone_set_at)
     VALUES ($1, '佐藤 一郎', 'サトウ イチロウ', '1960-01-01', $2, $3, '東京', $4, 'scrypt$unused', $5, $5)`,
    [id, phone, `p${customersMade}@example.jp`, `passkey${customersMade}`, w.clock.now()],
  );
  return { id, phone };
}

/** The code in the last SMS to `phone`. */
function lastCode(w: World, phone: string): string {
  const text = w.sms.messages(phone).at(-1)?.text ?? '';
  return /([0-9]{6})/.exec(text)?.[1] ?? '';
}

/** A customer with one passkey registered (vouched for by an SMS code) and its software authenticator. */
async function enrolled(w: World) {
  const customer = await addCustomer(w);
  const authenticator = createSoftwareAuthenticator({ origin: ORIGIN, rp_id: RP_ID });
  const options = await w.passkeys.registrationOptions(customer.id, SESSION);
  await w.factors.sendSmsCode(customer.id, 'enrol_passkey');
  const done = await w.factors.enrolPasskey(customer.id, { response: JSON.stringify(authenticator.register(options)), name: 'My phone', bound_to: SESSION },
    { factor: 'sms', code: lastCode(w, customer.phone), purpose: 'enrol_passkey' });
  assert.ok(done.ok, JSON.stringify(done));
  return { ...customer, authenticator, passkey_id: done.passkey_id };
}

/** What an answer may never change: the stored counter and the time of last use. */
const stored = (db: Database, customer_id: string) =>
  db.query<{ sign_count: string | number; last_used_at: Date | null }>(`SELECT sign_count, last_used_at FROM passkeys WHERE customer_id = $1`, [customer_id])
    .then((rows) => rows.map((row) => ({ sign_count: Number(row.sign_count), last_used_at: row.last_used_at?.toISOString() ?? null })));

for (const backend of testBackends) {
  describe(`passkeys on ${backend.name}`, { skip: backend.skip }, () => {
    let w: World;
    before(async () => {
      w = await open(backend);
    });
    after(() => w?.db.close());

    const login = async (customer_id: string, answer: (options: NonNullable<Awaited<ReturnType<World['passkeys']['authenticationOptions']>>>) => unknown, bound_to = SESSION) => {
      const options = await w.passkeys.authenticationOptions(customer_id, 'login', SESSION);
      assert.ok(options);
      return w.factors.verify(customer_id, { factor: 'passkey', response: JSON.stringify(answer(options)), purpose: 'login', bound_to });
    };

    test('a passkey registered with an SMS code then proves the customer, and is listed as the first factor', async () => {
      const customer = await enrolled(w);
      assert.equal(w.sms.messages(customer.phone).at(-1)?.purpose, 'second_factor_enrolled', 'the customer hears of a new passkey');
      const factors = await w.factors.listFactors(customer.id);
      assert.deepEqual(factors.map((factor) => factor.factor), ['passkey', 'sms']);
      assert.equal(factors[0]!.passkeys_count, 1);
      assert.deepEqual((await w.factors.listPasskeys(customer.id)).map((passkey) => passkey.name), ['My phone']);
      assert.deepEqual(await login(customer.id, (options) => customer.authenticator.assert(options)), { ok: true, factor: 'passkey' });
      assert.deepEqual(await stored(w.db, customer.id), [{ sign_count: 1, last_used_at: w.clock.now().toISOString() }]);
    });

    test('a replayed challenge is refused and changes nothing', async () => {
      const customer = await enrolled(w);
      const options = await w.passkeys.authenticationOptions(customer.id, 'login', SESSION);
      assert.ok(options);
      const answer = JSON.stringify(customer.authenticator.assert(options));
      assert.deepEqual(await w.factors.verify(customer.id, { factor: 'passkey', response: answer, purpose: 'login', bound_to: SESSION }), { ok: true, factor: 'passkey' });
      const before_replay = await stored(w.db, customer.id);
      w.clock.advance(1000);
      assert.deepEqual(await w.factors.verify(customer.id, { factor: 'passkey', response: answer, purpose: 'login', bound_to: SESSION }), { ok: false, code: 'passkey_challenge_invalid' });
      // A fresh signature over the spent challenge is a replay too.
      const resigned = JSON.stringify(customer.authenticator.assert(options));
      assert.deepEqual(await w.factors.verify(customer.id, { factor: 'passkey', response: resigned, purpose: 'login', bound_to: SESSION }), { ok: false, code: 'passkey_challenge_invalid' });
      assert.deepEqual(await stored(w.db, customer.id), before_replay);
    });

    test('an answer made on another origin (a look-alike site relaying the prompt) is refused and changes nothing', async () => {
      const customer = await enrolled(w);
      const before_answer = await stored(w.db, customer.id);
      assert.deepEqual(await login(customer.id, (options) => customer.authenticator.assert(options, { origin: 'https://bank-example.support' })), { ok: false, code: 'passkey_verification_failed' });
      assert.deepEqual(await stored(w.db, customer.id), before_answer);
      assert.deepEqual(await login(customer.id, (options) => customer.authenticator.assert(options)), { ok: true, factor: 'passkey' }, 'the genuine origin still works');
    });

    test('an answer without user verification is refused', async () => {
      const customer = await enrolled(w);
      assert.deepEqual(await login(customer.id, (options) => customer.authenticator.assert(options, { user_verified: false })), { ok: false, code: 'passkey_verification_failed' });
      assert.deepEqual(await stored(w.db, customer.id), [{ sign_count: 0, last_used_at: null }]);
    });

    test('an unknown credential is refused, even one registered to another customer', async () => {
      const customer = await enrolled(w);
      const stranger = createSoftwareAuthenticator({ origin: ORIGIN, rp_id: RP_ID });
      assert.deepEqual(await login(customer.id, (options) => stranger.assert(options)), { ok: false, code: 'passkey_credential_unknown' });
      const other = await enrolled(w);
      assert.deepEqual(await login(customer.id, (options) => other.authenticator.assert(options)), { ok: false, code: 'passkey_credential_unknown' });
      assert.deepEqual(await stored(w.db, other.id), [{ sign_count: 0, last_used_at: null }]);
    });

    test('a challenge answers until its TTL and is refused as expired from then on', async () => {
      const customer = await enrolled(w);
      const just_in_time = await w.passkeys.authenticationOptions(customer.id, 'login', SESSION);
      assert.ok(just_in_time);
      w.clock.advance(PASSKEY_CHALLENGE_TTL_MS - 1);
      assert.deepEqual(await w.factors.verify(customer.id, { factor: 'passkey', response: JSON.stringify(customer.authenticator.assert(just_in_time)), purpose: 'login', bound_to: SESSION }),
        { ok: true, factor: 'passkey' });
      const late = await w.passkeys.authenticationOptions(customer.id, 'login', SESSION);
      assert.ok(late);
      w.clock.advance(PASSKEY_CHALLENGE_TTL_MS);
      const before_answer = await stored(w.db, customer.id);
      assert.deepEqual(await w.factors.verify(customer.id, { factor: 'passkey', response: JSON.stringify(customer.authenticator.assert(late)), purpose: 'login', bound_to: SESSION }),
        { ok: false, code: 'passkey_challenge_expired' });
      assert.deepEqual(await stored(w.db, customer.id), before_answer);
    });

    test('a challenge answers only for the purpose and the session it was issued to', async () => {
      const customer = await enrolled(w);
      assert.deepEqual(await login(customer.id, (options) => customer.authenticator.assert(options), 'session:another'), { ok: false, code: 'passkey_challenge_invalid' });
      const options = await w.passkeys.authenticationOptions(customer.id, 'login', SESSION);
      assert.ok(options);
      assert.deepEqual(await w.factors.verify(customer.id, { factor: 'passkey', response: JSON.stringify(customer.authenticator.assert(options)), purpose: 'consent', bound_to: SESSION }),
        { ok: false, code: 'passkey_challenge_invalid' }, 'a sign-in challenge approves no consent');
      const other = await addCustomer(w);
      assert.deepEqual(await w.factors.verify(other.id, { factor: 'passkey', response: JSON.stringify(customer.authenticator.assert(options)), purpose: 'login', bound_to: SESSION }),
        { ok: false, code: 'passkey_challenge_invalid' }, "another customer's challenge");
    });

    test('a counter that does not move forward is refused as a possible clone, alerts staff and keeps the stored counter', async () => {
      const customer = await enrolled(w);
      assert.deepEqual(await login(customer.id, (options) => customer.authenticator.assert(options, { sign_count: 7 })), { ok: true, factor: 'passkey' });
      const alerts_before = w.alerts.length;
      const before_clone = await stored(w.db, customer.id);
      assert.deepEqual(await login(customer.id, (options) => customer.authenticator.assert(options, { sign_count: 7 })), { ok: false, code: 'passkey_counter_regressed' });
      assert.deepEqual(await login(customer.id, (options) => customer.authenticator.assert(options, { sign_count: 3 })), { ok: false, code: 'passkey_counter_regressed' });
      assert.deepEqual(await stored(w.db, customer.id), before_clone);
      assert.deepEqual(w.alerts.slice(alerts_before).map((alert) => [alert.kind, alert.customer_id, alert.severity]),
        [['passkey_counter_regressed', customer.id, 'high'], ['passkey_counter_regressed', customer.id, 'high']]);
      assert.deepEqual(await login(customer.id, (options) => customer.authenticator.assert(options, { sign_count: 8 })), { ok: true, factor: 'passkey' });
    });

    test('an unreadable answer is refused without touching any challenge', async () => {
      const customer = await enrolled(w);
      for (const response of ['', 'not json', '{}', JSON.stringify({ id: 'x', response: { clientDataJSON: 'e30' } }), 'x'.repeat(20_000)]) {
        const verified = await w.factors.verify(customer.id, { factor: 'passkey', response, purpose: 'login', bound_to: SESSION });
        assert.equal(verified.ok, false, response.slice(0, 40));
      }
      assert.deepEqual(await stored(w.db, customer.id), [{ sign_count: 0, last_used_at: null }]);
    });

    test('reloading a page keeps at most a few live challenges', async () => {
      const customer = await enrolled(w);
      const issued = [];
      for (let n = 0; n < PASSKEY_CHALLENGES_LIVE_MAX + 2; n++) {
        issued.push(await w.passkeys.authenticationOptions(customer.id, 'login', SESSION));
        w.clock.advance(1000);
      }
      const [live] = await w.db.query<{ count: string | number }>(`SELECT count(*) AS count FROM passkey_challenges WHERE customer_id = $1 AND spent_at IS NULL`, [customer.id]);
      assert.equal(Number(live!.count), PASSKEY_CHALLENGES_LIVE_MAX);
      assert.deepEqual(await w.factors.verify(customer.id, { factor: 'passkey', response: JSON.stringify(customer.authenticator.assert(issued[0]!)), purpose: 'login', bound_to: SESSION }),
        { ok: false, code: 'passkey_challenge_invalid' }, 'the oldest was retired');
      assert.deepEqual(await w.factors.verify(customer.id, { factor: 'passkey', response: JSON.stringify(customer.authenticator.assert(issued.at(-1)!)), purpose: 'login', bound_to: SESSION }),
        { ok: true, factor: 'passkey' });
    });

    test('registering needs the existing factor: a wrong SMS code stores nothing', async () => {
      const customer = await addCustomer(w);
      const authenticator = createSoftwareAuthenticator({ origin: ORIGIN, rp_id: RP_ID });
      const options = await w.passkeys.registrationOptions(customer.id, SESSION);
      await w.factors.sendSmsCode(customer.id, 'enrol_passkey');
      const wrong = lastCode(w, customer.phone) === '000000' ? '000001' : '000000';
      assert.deepEqual(await w.factors.enrolPasskey(customer.id, { response: JSON.stringify(authenticator.register(options)), name: 'Thief', bound_to: SESSION },
        { factor: 'sms', code: wrong, purpose: 'enrol_passkey' }), { ok: false, code: 'second_factor_failed' });
      assert.deepEqual(await w.factors.listPasskeys(customer.id), []);
      // A login code cannot vouch for a new passkey either.
      await w.factors.sendSmsCode(customer.id, 'login');
      const again = await w.passkeys.registrationOptions(customer.id, SESSION);
      assert.deepEqual(await w.factors.enrolPasskey(customer.id, { response: JSON.stringify(authenticator.register(again)), name: 'Thief', bound_to: SESSION },
        { factor: 'sms', code: lastCode(w, customer.phone), purpose: 'enrol_passkey' }), { ok: false, code: 'second_factor_failed' });
      assert.deepEqual(await w.factors.listPasskeys(customer.id), []);
    });

    test('a registration made on another origin, without user verification, or for another session is refused before any code is checked', async () => {
      const customer = await addCustomer(w);
      const authenticator = createSoftwareAuthenticator({ origin: ORIGIN, rp_id: RP_ID });
      const cases = [
        { answer: { origin: 'https://evil.example' }, bound_to: SESSION, code: 'passkey_verification_failed' },
        { answer: { user_verified: false }, bound_to: SESSION, code: 'passkey_verification_failed' },
        { answer: {}, bound_to: 'session:another', code: 'passkey_challenge_invalid' },
      ];
      for (const each of cases) {
        const options = await w.passkeys.registrationOptions(customer.id, SESSION);
        assert.deepEqual(await w.factors.enrolPasskey(customer.id, { response: JSON.stringify(authenticator.register(options, each.answer)), name: 'x', bound_to: each.bound_to },
          { factor: 'sms', code: '123456', purpose: 'enrol_passkey' }), { ok: false, code: each.code });
      }
      assert.deepEqual(await w.factors.listPasskeys(customer.id), []);
      const [sms] = await w.db.query<{ failures_consecutive: number }>(`SELECT failures_consecutive FROM second_factors WHERE customer_id = $1 AND factor = 'sms'`, [customer.id]);
      assert.equal(sms?.failures_consecutive ?? 0, 0, 'no SMS failure was counted for a refused registration');
    });

    test('a passkey is removed only with a second factor, and the customer hears of it', async () => {
      const customer = await enrolled(w);
      await w.factors.sendSmsCode(customer.id, 'remove_passkey');
      const code = lastCode(w, customer.phone);
      assert.deepEqual(await w.factors.removePasskey(customer.id, customer.passkey_id, { factor: 'sms', code: code === '000000' ? '000001' : '000000', purpose: 'remove_passkey' }),
        { ok: false, code: 'second_factor_failed' });
      assert.equal((await w.factors.listPasskeys(customer.id)).length, 1);
      assert.deepEqual(await w.factors.removePasskey(customer.id, customer.passkey_id, { factor: 'sms', code, purpose: 'remove_passkey' }), { ok: true });
      assert.deepEqual(await w.factors.listPasskeys(customer.id), []);
      assert.deepEqual((await w.factors.listFactors(customer.id)).map((factor) => factor.factor), ['sms']);
      assert.equal(w.sms.messages(customer.phone).at(-1)?.purpose, 'second_factor_removed');
      assert.deepEqual(await login(customer.id, () => ({})).catch(() => 'no options'), 'no options', 'no passkey, no challenge');
      const other = await enrolled(w);
      assert.deepEqual(await w.factors.removePasskey(customer.id, other.passkey_id, { factor: 'sms', code: '123456' }), { ok: false, code: 'passkey_not_found' }, "another customer's passkey");
    });

    test('the last usable factor is never removed', async () => {
      const customer = await enrolled(w);
      for (let n = 0; n < SECOND_FACTOR_FAILURES_MAX; n++) await w.factors.verify(customer.id, { factor: 'sms', code: '999999', purpose: 'login' });
      assert.equal((await w.factors.listFactors(customer.id)).find((factor) => factor.factor === 'sms')?.status, 'locked');
      const options = await w.passkeys.authenticationOptions(customer.id, 'remove_passkey', SESSION);
      assert.ok(options);
      assert.deepEqual(await w.factors.removePasskey(customer.id, customer.passkey_id,
        { factor: 'passkey', response: JSON.stringify(customer.authenticator.assert(options)), purpose: 'remove_passkey', bound_to: SESSION }), { ok: false, code: 'passkey_last_factor' });
      assert.equal((await w.factors.listPasskeys(customer.id)).length, 1);
    });
  });
}
