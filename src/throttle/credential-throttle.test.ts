import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { raceTest, testBackends, type TestBackend } from '../testing/test-databases.ts';
import { migrate } from '../storage/migrate.ts';
import { ledgerMigrations } from '../ledger/ledger-migrations.ts';
import { bankMigrations } from '../bank/bank-migrations.ts';
import { ManualClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { AssertionFailed } from '../shared/assert.ts';
import { createSmsSimulator } from '../notify/sms-simulator.ts';
import { createSmsCustomerNotifier } from '../mfa/notify-customer.ts';
import { throttleMigrations } from './throttle-migrations.ts';
import { createCredentialThrottle } from './credential-throttle.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import { FIXTURE_AUDIT_KEY } from '../testing/bank-fixture.ts';
import { snapshotDatabase } from '../testing/database-snapshot.ts';
import { assertNothingWritten } from '../testing/refusal-may-write.ts';
import { createCaseStore } from '../cases/case-store.ts';
import { casesMigrations } from '../cases/cases-migrations.ts';
import { pinAccountKey, type CredentialAttempt } from './credential-attempt.ts';
import {
  DEVICE_FAILURES_PER_WINDOW_MAX, FAILURE_WINDOW_MS, OPERATOR_FAILURES_PER_WINDOW_MAX, PIN_FAILURES_PER_ACCOUNT_MAX,
  REVERSE_BRUTE_FORCE_ACCOUNTS_MIN, SOURCE_BLOCK_MS, SOURCE_IP_FAILURES_PER_WINDOW_MAX,
} from './credential-limits.ts';

let scopesMade = 0;

/** One migrated database per backend, shared by the tests of that backend. */
async function openSharedDatabase(backend: TestBackend) {
  const db = await backend.open();
  await migrate(db, [ledgerMigrations, bankMigrations, throttleMigrations, casesMigrations]);
  const clock = new ManualClock('2026-11-10T01:00:00Z');
  const ids = createIds(clock);
  const log = createLogger({ level: 'silent' });
  const sms = createSmsSimulator({ clock });
  const notifyCustomer = createSmsCustomerNotifier({ db, sms, log });
  return { db, clock, ids, log, sms, notifyCustomer };
}

/**
 * What one test sees of the shared database: its own fingerprint key (so equal PINs in other tests are other
 * fingerprints), its own branch code, addresses, devices and customer, and the staff lists narrowed to them.
 */
async function newScope(shared: Awaited<ReturnType<typeof openSharedDatabase>>) {
  const { db, clock, ids, log, notifyCustomer } = shared;
  const k = ++scopesMade;
  const key = `throttle-test-key-${k}-0123456789abcdef0123456789`;
  const make = (fingerprint_key = key) => createCredentialThrottle({ db, clock, ids, log, fingerprint_key, notifyCustomer });
  const branch = String(100 + k).padStart(3, '0');
  const ipPrefix = `10.${k}.`;
  const devicePrefix = `t${k}-`;
  const customer_id = ids.next();
  const phone = `090-0000-${String(k).padStart(4, '0')}`;
  await db.query(
    `INSERT INTO customers (id, name_kanji, name_kana, birth_date, phone, email, address, login_id, password_hash, created_at, phone_set_at)
     VALUES ($1, '山田 花子', 'ヤマダ ハナコ', '1948-03-15', $2, $3, '仙台', $4, 'scrypt$unused', $5, $5)`,
    [customer_id, phone, `t${k}@example.jp`, `t${k}`, clock.now()],
  );
  const throttle = make();
  const operators = new Set<string>();
  const alerts = async () => (await throttle.listAlerts()).filter((alert) =>
    [...alert.source_ips, ...alert.device_ids].some((source) => source.startsWith(ipPrefix) || source.startsWith(devicePrefix))
    || alert.operator_ids.some((operator_id) => operators.has(operator_id)));
  return {
    ...shared, key, make, throttle, branch, customer_id, phone, login_key: `login:t${k}`,
    /** An address of this test's own: n from 0 to 65535. */
    ip: (n: number) => `${ipPrefix}${n >> 8}.${n & 255}`,
    device: (name: string) => `${devicePrefix}${name}`,
    operator: () => {
      const id = ids.next();
      operators.add(id);
      return id;
    },
    /** A legacy PIN attempt on account `n` of this test's branch, from its first address, overridable. */
    attempt: (n: number, overrides: Partial<CredentialAttempt> = {}): CredentialAttempt => ({
      credential: 'legacy_pin', account_key: pinAccountKey(branch, String(n).padStart(7, '0')), source_ip: `${ipPrefix}0.1`, secret: '1234', ...overrides,
    }),
    locks: async () => (await throttle.listLocks()).filter((lock) => lock.account_masked.startsWith(`${branch}-`)),
    alerts,
    blocks: async () => {
      const mine = new Set((await alerts()).map((alert) => alert.id));
      return (await throttle.listBlocks()).filter((block) => block.alert_id !== null && mine.has(block.alert_id));
    },
  };
}

/** check, then a failure: what the legacy link does with a wrong PIN. */
async function fail(throttle: ReturnType<typeof createCredentialThrottle>, attempt: CredentialAttempt) {
  const decision = await throttle.check(attempt);
  if (decision.ok) await throttle.recordFailure(attempt);
  return decision;
}

for (const backend of testBackends) {
  describe(`credential throttle on ${backend.name}`, { skip: backend.skip }, () => {
    let shared: Awaited<ReturnType<typeof openSharedDatabase>>;
    before(async () => {
      shared = await openSharedDatabase(backend);
    });
    after(() => shared?.db.close());

    test(`${PIN_FAILURES_PER_ACCOUNT_MAX} consecutive PIN failures lock the account: ${PIN_FAILURES_PER_ACCOUNT_MAX} attempts are checked, the next is refused even with the right PIN`, async () => {
      const t = await newScope(shared);
      const victim = t.attempt(1234567, { customer_id: t.customer_id });
      for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX; i++) {
        assert.deepEqual(await fail(t.throttle, { ...victim, secret: String(1000 + i), source_ip: t.ip(i + 1) }), { ok: true }, `attempt ${i + 1}`);
      }
      assert.deepEqual(await t.throttle.check({ ...victim, secret: '4321', source_ip: t.ip(9) }), { ok: false, code: 'credential_attempts_locked' });
      const notice = t.sms.messages(t.phone).at(-1);
      assert.equal(notice?.purpose, 'credential_locked');
      assert.match(notice!.text, new RegExp(`口座 ${t.branch}支店 普通 \\*{4}567 の`));
      assert.doesNotMatch(notice!.text, /1234567/, 'never the full account number');
      const [lock] = await t.locks();
      assert.equal(lock?.account_masked, `${t.branch}-****567`);
      assert.equal(lock?.customer_id, t.customer_id);
      assert.equal(lock?.name_kanji, '山田 花子');
      assert.ok(lock?.locked_at);
    });

    test('a success before the limit starts the count again', async () => {
      const t = await newScope(shared);
      const attempt = t.attempt(7);
      for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX - 1; i++) await fail(t.throttle, attempt);
      assert.deepEqual(await t.throttle.check(attempt), { ok: true });
      await t.throttle.recordSuccess(attempt);
      for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX - 1; i++) assert.deepEqual(await fail(t.throttle, attempt), { ok: true });
      assert.deepEqual(await t.throttle.check(attempt), { ok: true });
    });

    // PostgreSQL only: PGlite runs one transaction at a time, so the checks cannot race there.
    raceTest(backend, 'attempts racing past check together can never verify more than the limit', async () => {
      const t = await newScope(shared);
      const decisions = await Promise.all(Array.from({ length: PIN_FAILURES_PER_ACCOUNT_MAX + 5 }, () => t.throttle.check(t.attempt(42))));
      assert.equal(decisions.filter((decision) => decision.ok).length, PIN_FAILURES_PER_ACCOUNT_MAX);
      assert.ok(decisions.filter((decision) => !decision.ok).every((decision) => !decision.ok && decision.code === 'credential_attempts_locked'));
    });

    test('an unknown account locks exactly like a real one, so a lock says nothing about existence', async () => {
      const t = await newScope(shared);
      const sent = t.sms.messages().length;
      for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX; i++) await fail(t.throttle, t.attempt(9999999, { secret: String(2000 + i) }));
      assert.deepEqual(await t.throttle.check(t.attempt(9999999)), { ok: false, code: 'credential_attempts_locked' });
      assert.equal(t.sms.messages().length, sent, 'nobody to notify');
      assert.equal((await t.locks())[0]?.name_kanji, null);
    });

    test('staff unlock, recorded with who did it, lets the account try again; a second unlock changes nothing', async () => {
      const t = await newScope(shared);
      for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX; i++) await fail(t.throttle, t.attempt(5, { secret: String(3000 + i) }));
      t.clock.advance(7 * 24 * 60 * 60 * 1000);
      assert.deepEqual(await t.throttle.check(t.attempt(5)), { ok: false, code: 'credential_attempts_locked' }, 'time alone does not unlock');
      const [lock] = await t.locks();
      const staff_id = t.ids.next();
      assert.equal(await t.throttle.unlockAccount(lock!.id, { by: staff_id }), true);
      const unlocked = await snapshotDatabase(t.db);
      assert.equal(await t.throttle.unlockAccount(lock!.id, { by: staff_id }), false);
      assert.equal(await t.throttle.unlockAccount('not-a-uuid', { by: staff_id }), false);
      assertNothingWritten(unlocked, await snapshotDatabase(t.db), { message: 'a second unlock wrote' });
      assert.deepEqual(await t.throttle.check(t.attempt(5)), { ok: true });
      const events = await t.db.query<{ event: string; actor: string }>(`SELECT e.event, e.actor FROM credential_lock_events e JOIN credential_account_states s ON s.id = e.state_id WHERE s.account_key LIKE $1 ORDER BY e.id`, [`${t.branch}-%`]);
      assert.deepEqual(events, [{ event: 'locked', actor: 'system' }, { event: 'unlocked', actor: `staff:${staff_id}` }]);
    });

    test(`one PIN failing on ${REVERSE_BRUTE_FORCE_ACCOUNTS_MIN - 1} accounts is tolerated; on ${REVERSE_BRUTE_FORCE_ACCOUNTS_MIN} it blocks the source and the PIN and raises one alert`, async () => {
      const t = await newScope(shared);
      for (let n = 1; n < REVERSE_BRUTE_FORCE_ACCOUNTS_MIN; n++) assert.deepEqual(await fail(t.throttle, t.attempt(n)), { ok: true });
      assert.deepEqual(await t.alerts(), []);
      assert.deepEqual(await fail(t.throttle, t.attempt(REVERSE_BRUTE_FORCE_ACCOUNTS_MIN)), { ok: true });

      const [alert, ...others] = await t.alerts();
      assert.equal(others.length, 0);
      assert.equal(alert?.kind, 'reverse_brute_force');
      assert.equal(alert?.accounts_count, REVERSE_BRUTE_FORCE_ACCOUNTS_MIN);
      assert.deepEqual(alert?.source_ips, [t.ip(1)]);
      assert.ok(!alert?.subject.includes('1234'), 'staff see a shortened fingerprint, never the PIN');

      assert.deepEqual(await t.throttle.check(t.attempt(100, { secret: '9999' })), { ok: false, code: 'too_many_attempts' }, 'the source is blocked');
      assert.deepEqual(await t.throttle.check(t.attempt(101, { source_ip: t.ip(50) })), { ok: false, code: 'too_many_attempts' }, 'the PIN is blocked from anywhere');
      assert.deepEqual(await t.throttle.check(t.attempt(102, { source_ip: t.ip(50), secret: '9999' })), { ok: true }, 'others are not');
      assert.deepEqual((await t.blocks()).map((block) => block.dimension).sort(), ['secret_fingerprint', 'source_ip']);

      await fail(t.throttle, t.attempt(REVERSE_BRUTE_FORCE_ACCOUNTS_MIN + 1, { source_ip: t.ip(51), secret: '1234' }));
      assert.equal((await t.alerts()).length, 1, 'the open alert is refreshed, not duplicated');

      t.clock.advance(SOURCE_BLOCK_MS);
      assert.deepEqual(await t.blocks(), []);
    });

    test('when the operator relays device ids, the spraying device is blocked and the address is not', async () => {
      const t = await newScope(shared);
      for (let n = 1; n <= REVERSE_BRUTE_FORCE_ACCOUNTS_MIN; n++) await fail(t.throttle, t.attempt(n, { device_id: t.device('phone-evil') }));
      assert.deepEqual(await t.throttle.check(t.attempt(200, { device_id: t.device('phone-evil'), secret: '5555' })), { ok: false, code: 'too_many_attempts' });
      assert.deepEqual(await t.throttle.check(t.attempt(201, { device_id: t.device('phone-good'), secret: '5555' })), { ok: true });
    });

    test('fingerprints are keyed: the PIN is not stored, equal keys agree across throttles, other keys do not', async () => {
      const t = await newScope(shared);
      await fail(t.throttle, t.attempt(1, { secret: '1234' }));
      const [row] = await t.db.query<{ secret_fingerprint: string }>(`SELECT secret_fingerprint FROM credential_attempts WHERE account_key LIKE $1`, [`${t.branch}-%`]);
      const expected = createHmac('sha256', t.key).update('legacy_pin').update('\0').update('1234').digest('base64url');
      assert.equal(row?.secret_fingerprint, expected);

      // A second process with the same key sees the first one's failures as the same PIN.
      const sameKey = t.make(t.key);
      for (let n = 2; n <= REVERSE_BRUTE_FORCE_ACCOUNTS_MIN; n++) await fail(sameKey, t.attempt(n, { source_ip: t.ip(100 + n) }));
      assert.equal((await t.alerts()).length, 1);

      const otherKey = t.make('another-key-entirely-0123456789abcdef');
      await fail(otherKey, t.attempt(300, { source_ip: t.ip(200) }));
      const fingerprints = await t.db.query<{ n: number }>(`SELECT count(DISTINCT secret_fingerprint)::int AS n FROM credential_attempts WHERE account_key LIKE $1`, [`${t.branch}-%`]);
      assert.equal(fingerprints[0]?.n, 2, 'the same PIN under another key is another fingerprint');
    });

    test(`an address with ${SOURCE_IP_FAILURES_PER_WINDOW_MAX - 1} failures in the window may try again, with ${SOURCE_IP_FAILURES_PER_WINDOW_MAX} it is refused until the window has passed`, async () => {
      const t = await newScope(shared);
      // Each failure on another account with another PIN: only the address ties them together.
      for (let i = 0; i < SOURCE_IP_FAILURES_PER_WINDOW_MAX - 1; i++) await fail(t.throttle, t.attempt(1000 + i, { secret: String(5000 + i) }));
      assert.deepEqual(await fail(t.throttle, t.attempt(2000, { secret: '7000' })), { ok: true });
      assert.deepEqual(await t.throttle.check(t.attempt(2001, { secret: '7001' })), { ok: false, code: 'too_many_attempts' });
      assert.deepEqual(await t.throttle.check(t.attempt(2001, { secret: '7001', source_ip: t.ip(2) })), { ok: true });
      t.clock.advance(FAILURE_WINDOW_MS);
      assert.deepEqual(await t.throttle.check(t.attempt(2002, { secret: '7002' })), { ok: true });
    });

    test(`a device with ${DEVICE_FAILURES_PER_WINDOW_MAX} failures in the window is refused, the same address with another device is not`, async () => {
      const t = await newScope(shared);
      for (let i = 0; i < DEVICE_FAILURES_PER_WINDOW_MAX; i++) await fail(t.throttle, t.attempt(3000 + i, { secret: String(6000 + i), device_id: t.device('phone-A') }));
      assert.deepEqual(await t.throttle.check(t.attempt(4000, { secret: '8000', device_id: t.device('phone-A') })), { ok: false, code: 'too_many_attempts' });
      assert.deepEqual(await t.throttle.check(t.attempt(4000, { secret: '8000', device_id: t.device('phone-B') })), { ok: true });
    });

    test(`an operator whose users fail ${OPERATOR_FAILURES_PER_WINDOW_MAX} times in the window is refused and staff get an alert, in the alert queue too`, async () => {
      const t = await newScope(shared);
      const cases = createCaseStore({ db: t.db, clock: t.clock, ids: t.ids, audit: createAuditLog({ db: t.db, clock: t.clock, ids: t.ids, key: FIXTURE_AUDIT_KEY }) });
      const throttle = createCredentialThrottle({ db: t.db, clock: t.clock, ids: t.ids, log: t.log, fingerprint_key: t.key, notifyCustomer: t.notifyCustomer,
        alertQueue: cases });
      const operator_id = t.operator();
      // Spread over many addresses and PINs so only the operator ties the failures together.
      for (let i = 0; i < OPERATOR_FAILURES_PER_WINDOW_MAX + 2; i++) {
        await fail(throttle, t.attempt(10_000 + i, { operator_id, secret: String(1000 + i), source_ip: t.ip(1000 + i) }));
      }
      assert.deepEqual(await throttle.check(t.attempt(20_000, { operator_id, secret: '9998', source_ip: t.ip(999) })), { ok: false, code: 'too_many_attempts' });
      assert.deepEqual(await throttle.check(t.attempt(20_000, { secret: '9998', source_ip: t.ip(999) })), { ok: true }, 'other operators are not');
      const alerts = await t.alerts();
      assert.deepEqual(alerts.map((alert) => [alert.kind, alert.subject]), [['operator_failure_rate', operator_id]]);
      assert.ok(alerts[0]!.failures_count >= OPERATOR_FAILURES_PER_WINDOW_MAX);
      const queued = (await cases.listAlerts({})).filter((alert) => alert.operator_id === operator_id);
      assert.deepEqual(queued.map((alert) => [alert.kind, alert.severity, alert.details.credential_alert_id]),
        [['credential_operator_failure_rate', 'high', alerts[0]!.id]], 'one queued alert, not one per failure past the limit');
    });

    /** A throttle wired to the staff alert queue, as the bank wires it. */
    const withQueue = (t: Awaited<ReturnType<typeof newScope>>) => {
      const cases = createCaseStore({ db: t.db, clock: t.clock, ids: t.ids, audit: createAuditLog({ db: t.db, clock: t.clock, ids: t.ids, key: FIXTURE_AUDIT_KEY }) });
      const throttle = createCredentialThrottle({ db: t.db, clock: t.clock, ids: t.ids, log: t.log, fingerprint_key: t.key, notifyCustomer: t.notifyCustomer,
        alertQueue: cases });
      return { cases, throttle };
    };

    /** Wrong PINs on account n until it locks, each a PIN of its own (so no reverse brute force ties them). */
    const lockAccount = async (throttle: ReturnType<typeof createCredentialThrottle>, attempt: CredentialAttempt) => {
      for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX; i++) await fail(throttle, { ...attempt, secret: `${attempt.account_key.slice(-5)}${i}` });
      assert.deepEqual(await throttle.check(attempt), { ok: false, code: 'credential_attempts_locked' });
    };

    test(`${PIN_FAILURES_PER_ACCOUNT_MAX - 1} wrong legacy PINs raise no alert; the ${PIN_FAILURES_PER_ACCOUNT_MAX}rd locks the account and raises one high alert in the staff queue naming the operator and the source`, async () => {
      const t = await newScope(shared);
      const { cases, throttle } = withQueue(t);
      const operator_id = t.operator();
      const attempt = t.attempt(30_001, { operator_id, source_ip: t.ip(3001) });
      const queued = async () => (await cases.listAlerts({ status: 'active' })).filter((alert) => alert.operator_id === operator_id);
      for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX - 1; i++) await fail(throttle, { ...attempt, secret: String(6000 + i) });
      assert.deepEqual(await queued(), [], 'mistyping twice is not an incident');
      await fail(throttle, { ...attempt, secret: '6999' });
      const [alert, ...more] = await queued();
      assert.equal(more.length, 0);
      assert.equal(alert?.kind, 'credential_legacy_pin_locks');
      assert.equal(alert?.severity, 'high');
      assert.deepEqual(alert?.reason_codes, ['legacy_pin_locked']);
      assert.equal(alert?.details.locks_count, 1);
      assert.deepEqual(alert?.details.source_ips, [t.ip(3001)]);
      assert.match(alert!.summary!, new RegExp(`1 account locked through one operator from ip:${t.ip(3001).replaceAll('.', '\\.')}`));
      assert.doesNotMatch(JSON.stringify(alert), /6999|600[01]/, 'no PIN in the alert');
      const [onSecurityPage] = (await t.alerts()).filter((row) => row.kind === 'legacy_pin_locks');
      assert.equal(onSecurityPage?.id, alert?.id, 'the queued alert is the security page\'s, by id');
    });

    test('locks through one operator from one source count on one open alert; another operator, address or device gets its own', async () => {
      const t = await newScope(shared);
      const { cases, throttle } = withQueue(t);
      const [walletA, walletB] = [t.operator(), t.operator()];
      for (let n = 0; n < 4; n++) await lockAccount(throttle, t.attempt(31_000 + n, { operator_id: walletA, source_ip: t.ip(3100) }));
      await lockAccount(throttle, t.attempt(31_100, { operator_id: walletB, source_ip: t.ip(3100) }));
      await lockAccount(throttle, t.attempt(31_200, { operator_id: walletA, source_ip: t.ip(3101) }));
      await lockAccount(throttle, t.attempt(31_300, { operator_id: walletA, source_ip: t.ip(3100), device_id: t.device('phone-1') }));
      const queued = (await cases.listAlerts({ status: 'active' }))
        .filter((alert) => alert.kind === 'credential_legacy_pin_locks' && (alert.operator_id === walletA || alert.operator_id === walletB));
      const groups = queued.map((alert) => [alert.operator_id === walletA ? 'A' : 'B', String(alert.summary).replace(/^.*from /, ''), alert.details.locks_count]).sort();
      assert.deepEqual(groups, [
        ['A', `device:${t.device('phone-1')}`, 1],
        ['A', `ip:${t.ip(3100)}`, 4],
        ['A', `ip:${t.ip(3101)}`, 1],
        ['B', `ip:${t.ip(3100)}`, 1],
      ]);
      const sprayed = queued.find((alert) => alert.details.locks_count === 4)!;
      assert.match(sprayed.summary!, /4 accounts locked/);
      assert.equal(sprayed.details.failures_count, 4 * PIN_FAILURES_PER_ACCOUNT_MAX);
    });

    test('after staff close a grouped lock alert in the queue, the next lock from that operator and source raises a new one', async () => {
      const t = await newScope(shared);
      const { cases, throttle } = withQueue(t);
      const operator_id = t.operator();
      const staff_id = t.ids.next();
      await t.db.query(
        `INSERT INTO staff_users (id, login_id, display_name, password_hash, created_at) VALUES ($1, $2, 'Test Analyst', 'scrypt$unused', $3)`,
        [staff_id, `analyst-${staff_id.slice(-8)}`, t.clock.now()]);
      await lockAccount(throttle, t.attempt(32_000, { operator_id, source_ip: t.ip(3200) }));
      const [first] = (await cases.listAlerts({ status: 'active' })).filter((alert) => alert.operator_id === operator_id);
      // closeAlert does this and audits it; this database has no audit log, so close it as closeAlert does inside.
      await t.db.transaction((tx) => cases.closeAlertIn(tx, first!.id, staff_id));
      assert.equal((await cases.getAlert(first!.id))?.status, 'closed');
      await lockAccount(throttle, t.attempt(32_001, { operator_id, source_ip: t.ip(3200) }));
      const open = (await cases.listAlerts({ status: 'active' })).filter((alert) => alert.operator_id === operator_id);
      assert.equal(open.length, 1, 'a new alert, not a count on the closed one');
      assert.notEqual(open[0]!.id, first!.id);
      assert.equal(open[0]!.details.locks_count, 1);
      assert.equal((await cases.getAlert(first!.id))?.status, 'closed', 'the closed alert stays closed');
    });

    test('staff lift a block and resolve an alert, each recorded with who did it, and neither twice', async () => {
      const t = await newScope(shared);
      for (let n = 1; n <= REVERSE_BRUTE_FORCE_ACCOUNTS_MIN; n++) await fail(t.throttle, t.attempt(n));
      const staff_id = t.ids.next();
      const [alert] = await t.alerts();
      for (const block of await t.blocks()) {
        assert.equal(await t.throttle.liftBlock(block.id, { by: staff_id }), true);
        assert.equal(await t.throttle.liftBlock(block.id, { by: staff_id }), false);
      }
      assert.equal(await t.throttle.resolveAlert(alert!.id, { by: staff_id }), true);
      assert.equal(await t.throttle.resolveAlert(alert!.id, { by: staff_id }), false);
      assert.deepEqual(await t.alerts(), []);
      assert.deepEqual(await t.throttle.check(t.attempt(500, { secret: '5678' })), { ok: true });
      const lifted = await t.db.query<{ lifted_by: string }>(`SELECT DISTINCT lifted_by FROM credential_blocks WHERE alert_id = $1`, [alert!.id]);
      assert.deepEqual(lifted, [{ lifted_by: `staff:${staff_id}` }]);
    });

    test('second-factor attempts count towards the source limits but never lock the account here', async () => {
      const t = await newScope(shared);
      const attempt: CredentialAttempt = { credential: 'second_factor', account_key: t.login_key, source_ip: t.ip(7), secret: '000000' };
      for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX + 2; i++) assert.deepEqual(await fail(t.throttle, { ...attempt, secret: String(i).padStart(6, '0') }), { ok: true });
      assert.deepEqual(await t.db.query(`SELECT 1 FROM credential_account_states WHERE account_key = $1`, [t.login_key]), []);
    });

    test('malformed attempts are programmer errors, and a short fingerprint key is refused at start', async () => {
      const t = await newScope(shared);
      await assert.rejects(t.throttle.check(t.attempt(1, { device_id: 'has spaces' })), AssertionFailed);
      await assert.rejects(t.throttle.check(t.attempt(1, { account_key: '' })), AssertionFailed);
      await assert.rejects(t.throttle.check(t.attempt(1, { source_ip: '' })), AssertionFailed);
      await assert.rejects(t.throttle.check(t.attempt(1, { operator_id: 'op' })), AssertionFailed);
      assert.throws(() => t.make('short'), AssertionFailed);
      assert.deepEqual(await t.db.query(`SELECT * FROM credential_attempts WHERE account_key LIKE $1`, [`${t.branch}-%`]), []);
    });
  });
}
