import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, legacyLink, openAccountHolder, type BankFixture } from '../testing/bank-fixture.ts';
import {
  DEVICE_FAILURES_PER_WINDOW_MAX, FAILURE_WINDOW_MS, PIN_FAILURES_PER_ACCOUNT_MAX, REVERSE_BRUTE_FORCE_ACCOUNTS_MIN,
  SOURCE_IP_FAILURES_PER_WINDOW_MAX,
} from '../throttle/credential-limits.ts';

const accountHolder = openAccountHolder;

const linksOf = async (fixture: BankFixture, account_id: string) =>
  (await fixture.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM links WHERE account_id = $1`, [account_id]))[0]!.n;

for (const backend of testBackends) {
  describe(`the credential throttle on POST /v1/links/legacy on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend);
    });
    after(() => fixture?.close());
    // A fresh hour for every test, so one test's failures never fill another's operator window.
    beforeEach(() => fixture.clock.advance(FAILURE_WINDOW_MS));

    test(`two accounts locked by ${PIN_FAILURES_PER_ACCOUNT_MAX} wrong PINs each through one operator from one address are one alert in the staff queue, counting both locks`, async () => {
      const attacker = '198.51.100.77';
      const queued = async () => (await fixture.bank.services.cases.listAlerts({ status: 'active' }))
        .filter((alert) => alert.kind === 'credential_legacy_pin_locks' && alert.operator_id === fixture.operator.id
          && (alert.details.source_ips as string[]).includes(attacker));
      assert.deepEqual(await queued(), []);
      for (const holder of [await accountHolder(fixture), await accountHolder(fixture)]) {
        for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX; i++) {
          await legacyLink(fixture, { ...holder.details, pin: `${holder.details.account_number.slice(-3)}${i}` }, { ip: attacker });
        }
        assert.equal((await legacyLink(fixture, holder.details, { ip: attacker })).response.json().code, 'credential_attempts_locked');
      }
      const alerts = await queued();
      assert.equal(alerts.length, 1, 'one alert for the pair, not one per lock');
      assert.equal(alerts[0]!.severity, 'high');
      assert.equal(alerts[0]!.details.locks_count, 2);
      assert.match(alerts[0]!.summary!, /2 accounts locked through one operator from ip:198\.51\.100\.77/);
    });

    test(`wrong PINs are answered as mismatches, the ${PIN_FAILURES_PER_ACCOUNT_MAX}th says the PIN is locked and whom to call, then even the right PIN is refused as locked, and the holder is told`, async () => {
      const holder = await accountHolder(fixture);
      for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX - 1; i++) {
        const { response } = await legacyLink(fixture, { ...holder.details, pin: String(1000 + i) });
        assert.equal(response.statusCode, 422, `wrong PIN ${i + 1}`);
        assert.equal(response.json().code, 'link_credentials_mismatch');
      }
      const locking = (await legacyLink(fixture, { ...holder.details, pin: '1999' })).response;
      assert.equal(locking.statusCode, 423);
      assert.equal(locking.json().code, 'credential_attempts_locked');
      assert.match(locking.json().detail, /locked after 3 wrong tries.*call the Furikae Bank fraud desk on 0120-000-000/);
      const before = await fixture.snapshot();
      const { response } = await legacyLink(fixture, holder.details);
      assert.equal(response.statusCode, 423);
      assert.equal(response.json().code, 'credential_attempts_locked');
      assert.match(response.json().detail, /0120-000-000/);
      await fixture.assertNothingWritten(before, { message: 'nothing is written' });
      assert.equal(await linksOf(fixture, holder.account_id), 0);
      assert.equal(fixture.sms.messages(holder.phone).at(-1)?.purpose, 'credential_locked');
      assert.match(fixture.sms.messages(holder.phone).at(-1)?.text ?? '', /口座 \d{3}支店 普通 \*\*\*\*\d{3} の/);
    });

    test('a throttle refusal looks the same whether the PIN offered was right or wrong', async () => {
      const holder = await accountHolder(fixture);
      for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX; i++) await legacyLink(fixture, { ...holder.details, pin: String(2000 + i) });
      const right = await legacyLink(fixture, holder.details);
      const wrong = await legacyLink(fixture, { ...holder.details, pin: '0000' });
      assert.equal(right.response.statusCode, 423);
      assert.equal(right.response.statusCode, wrong.response.statusCode);
      assert.deepEqual(right.response.json(), wrong.response.json());
    });

    test('50 accounts tried with one PIN from one source are stopped after 5, the victim among them is never linked, staff see an alert, and the operator is contained', async () => {
      const attacker = '203.0.113.66';
      // A real customer whose PIN is the one being sprayed, 30th in the attacker's list.
      const victim = await accountHolder(fixture, '1357');
      const numbers = Array.from({ length: 50 }, (_, i) => (i === 29 ? victim.details.account_number : String(9_000_000 + i)));
      const codes: string[] = [];
      for (const account_number of numbers) {
        const { response } = await legacyLink(fixture, { ...victim.details, account_number, pin: '1357' }, { ip: attacker });
        codes.push(response.json().code);
      }
      assert.deepEqual(codes.slice(0, REVERSE_BRUTE_FORCE_ACCOUNTS_MIN), Array(REVERSE_BRUTE_FORCE_ACCOUNTS_MIN).fill('link_credentials_mismatch'));
      // The fifth failure contained the operator: every later try is refused before the PIN is looked at.
      assert.deepEqual(codes.slice(REVERSE_BRUTE_FORCE_ACCOUNTS_MIN), Array(50 - REVERSE_BRUTE_FORCE_ACCOUNTS_MIN).fill('new_links_suspended'));
      assert.equal(await linksOf(fixture, victim.account_id), 0, 'the victim at number 30 was never linked');

      const alerts = (await fixture.bank.services.throttle.listAlerts()).filter((alert) => alert.source_ips.includes(attacker));
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]?.kind, 'reverse_brute_force');
      assert.equal(alerts[0]?.accounts_count, REVERSE_BRUTE_FORCE_ACCOUNTS_MIN);
      assert.deepEqual(alerts[0]?.source_ips, [attacker]);
      assert.deepEqual(alerts[0]?.operator_ids, [fixture.operator.id]);

      const other = await accountHolder(fixture, '2468');
      const contained = await legacyLink(fixture, other.details, { ip: '192.0.2.99' });
      assert.equal(contained.response.json().code, 'new_links_suspended', "the operator's new links are suspended automatically");
      // An admin lifts the switch once the operator has found the hole; the other tests here use the same operator.
      await fixture.bank.services.operators.setSwitch(fixture.operator.id, 'new_links_suspended', false);
      const elsewhere = await legacyLink(fixture, victim.details, { ip: '192.0.2.99' });
      assert.equal(elsewhere.response.statusCode, 429, 'the sprayed PIN stays blocked from another address');
      assert.equal((await legacyLink(fixture, other.details, { ip: '192.0.2.99' })).response.statusCode, 201, 'other customers link again');
    });

    test(`an address over its window of ${SOURCE_IP_FAILURES_PER_WINDOW_MAX} failures is refused with 429 and nothing is written to links`, async () => {
      const address = '203.0.113.77';
      const holder = await accountHolder(fixture);
      for (let i = 0; i < SOURCE_IP_FAILURES_PER_WINDOW_MAX; i++) {
        // Another account and another PIN each time: no account lock, no reverse brute force, only the address.
        const { response } = await legacyLink(fixture, { account_number: String(7_000_000 + i), pin: String(3000 + i) }, { ip: address });
        assert.equal(response.statusCode, 422);
      }
      const before = await fixture.snapshot();
      const { response } = await legacyLink(fixture, holder.details, { ip: address });
      assert.equal(response.statusCode, 429);
      assert.equal(response.json().code, 'too_many_attempts');
      await fixture.assertNothingWritten(before);
      assert.equal(await linksOf(fixture, holder.account_id), 0);
      assert.equal((await legacyLink(fixture, holder.details, { ip: '192.0.2.10' })).response.statusCode, 201, 'another address is not throttled');
    });

    test(`a device over its window of ${DEVICE_FAILURES_PER_WINDOW_MAX} failures is refused while the operator's other devices still link`, async () => {
      const holder = await accountHolder(fixture);
      for (let i = 0; i < DEVICE_FAILURES_PER_WINDOW_MAX; i++) {
        await legacyLink(fixture, { account_number: String(7_100_000 + i), pin: String(4000 + i) }, { ip: '203.0.113.88', device_id: 'phone-A' });
      }
      const refused = await legacyLink(fixture, holder.details, { ip: '203.0.113.88', device_id: 'phone-A' });
      assert.equal(refused.response.statusCode, 429);
      assert.equal(await linksOf(fixture, holder.account_id), 0);
      assert.equal((await legacyLink(fixture, holder.details, { ip: '203.0.113.88', device_id: 'phone-B' })).response.statusCode, 201);
    });

    for (const [name, device_id] of [['with spaces', 'my phone'], ['too long', 'x'.repeat(129)], ['with a quote', 'abc"def']] as const) {
      test(`an X-Device-Id ${name} is refused with validation_failed and nothing is recorded`, async () => {
        const [before] = await fixture.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM credential_attempts`);
        const { response } = await legacyLink(fixture, {}, { device_id });
        assert.equal(response.statusCode, 400);
        assert.equal(response.json().code, 'validation_failed');
        assert.deepEqual(await fixture.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM credential_attempts`), [before]);
      });
    }

    test('after staff unlock the right PIN links again, and every attempt was recorded without the PIN', async () => {
      const holder = await accountHolder(fixture);
      for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX; i++) await legacyLink(fixture, { ...holder.details, pin: String(5000 + i) }, { ip: '203.0.113.99' });
      assert.equal((await legacyLink(fixture, holder.details, { ip: '203.0.113.99' })).response.statusCode, 423);
      const { throttle } = fixture.bank.services;
      const [lock] = await fixture.db.query<{ id: string }>(
        `SELECT id FROM credential_account_states WHERE account_key = $1 AND locked_at IS NOT NULL`, [`001-${holder.details.account_number}`]);
      assert.ok(lock);
      assert.ok((await throttle.listLocks()).some((listed) => listed.id === lock.id), 'staff see it');
      assert.equal(await throttle.unlockAccount(lock.id, { by: fixture.operator.id }), true);
      assert.equal((await legacyLink(fixture, holder.details, { ip: '203.0.113.99' })).response.statusCode, 201);
      const attempts = await fixture.db.query<{ outcome: string; operator_id: string; source_ip: string; secret_fingerprint: string }>(
        `SELECT outcome, operator_id, source_ip, secret_fingerprint FROM credential_attempts WHERE account_key = $1 ORDER BY id`,
        [`001-${holder.details.account_number}`]);
      assert.deepEqual(attempts.map((a) => a.outcome), [...Array(PIN_FAILURES_PER_ACCOUNT_MAX).fill('failure'), 'success']);
      assert.ok(attempts.every((a) => a.operator_id === fixture.operator.id && a.source_ip === '203.0.113.99'));
      assert.ok(attempts.every((a) => !/^[0-9]{4}$/.test(a.secret_fingerprint)));
    });
  });
}
