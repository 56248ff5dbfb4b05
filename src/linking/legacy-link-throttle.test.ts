import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends, type TestBackend } from '../testing/test-databases.ts';
import { createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import {
  DEVICE_FAILURES_PER_WINDOW_MAX, PIN_FAILURES_PER_ACCOUNT_MAX, REVERSE_BRUTE_FORCE_ACCOUNTS_MIN, SOURCE_IP_FAILURES_PER_WINDOW_MAX,
} from '../throttle/credential-limits.ts';

const ATTACKER_IP = '203.0.113.66';

async function withFixture(backend: TestBackend, run: (fixture: BankFixture) => Promise<void>) {
  const fixture = await createBankFixture(backend);
  try {
    await run(fixture);
  } finally {
    await fixture.close();
  }
}

const linkCount = async (fixture: BankFixture) =>
  (await fixture.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM links`))[0]!.n;

for (const backend of testBackends) {
  describe(`the credential throttle on POST /v1/links/legacy on ${backend.name}`, { skip: backend.skip }, () => {
    test(`${PIN_FAILURES_PER_ACCOUNT_MAX} wrong PINs are answered as mismatches, then even the right PIN is refused as locked, and the holder is told`, async () => {
      await withFixture(backend, async (fixture) => {
        for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX; i++) {
          const { response } = await legacyLink(fixture, { pin: String(1000 + i) });
          assert.equal(response.statusCode, 422, `wrong PIN ${i + 1}`);
          assert.equal(response.json().code, 'link_credentials_mismatch');
        }
        const before = await fixture.snapshot();
        const { response } = await legacyLink(fixture);
        assert.equal(response.statusCode, 423);
        assert.equal(response.json().code, 'credential_attempts_locked');
        assert.deepEqual(await fixture.snapshot(), before, 'nothing is written');
        assert.equal(await linkCount(fixture), 0);
        assert.equal(fixture.sms.messages('090-1111-2222').at(-1)?.purpose, 'credential_locked');
      });
    });

    test('a throttle refusal looks the same whether the PIN offered was right or wrong', async () => {
      await withFixture(backend, async (fixture) => {
        for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX; i++) await legacyLink(fixture, { pin: String(2000 + i) });
        const right = await legacyLink(fixture);
        const wrong = await legacyLink(fixture, { pin: '0000' });
        assert.equal(right.response.statusCode, wrong.response.statusCode);
        assert.deepEqual(right.response.json(), wrong.response.json());
      });
    });

    test('50 accounts tried with one PIN from one source are stopped after 5, the victim among them is never linked, and staff see an alert', async () => {
      await withFixture(backend, async (fixture) => {
        const { core } = fixture.bank.services;
        // A real customer whose PIN is the one being sprayed, 30th in the attacker's list.
        const victim = await core.openCustomer({
          name_kanji: '佐藤 一郎', name_kana: 'サトウ イチロウ', birth_date: '1950-01-01', phone: '080-2222-3333',
          email: 'ichiro@example.jp', address: '福島', login_id: 'ichiro', password: 'ichiro password 2026',
        });
        await core.openAccount({ customer_id: victim.id, branch_code: '001', account_number: '0000030', pin: '1234' });

        const statuses: number[] = [];
        for (let n = 1; n <= 50; n++) {
          const { response } = await legacyLink(fixture,
            { account_number: String(n).padStart(7, '0'), pin: '1234', name_kana: 'サトウ イチロウ', birth_date: '1950-01-01' },
            { ip: ATTACKER_IP });
          statuses.push(response.statusCode);
        }
        assert.deepEqual(statuses.slice(0, REVERSE_BRUTE_FORCE_ACCOUNTS_MIN), Array(REVERSE_BRUTE_FORCE_ACCOUNTS_MIN).fill(422));
        assert.deepEqual(statuses.slice(REVERSE_BRUTE_FORCE_ACCOUNTS_MIN), Array(50 - REVERSE_BRUTE_FORCE_ACCOUNTS_MIN).fill(429));
        assert.equal(await linkCount(fixture), 0, 'the victim at number 30 was never linked');

        const alerts = await fixture.bank.services.throttle.listAlerts();
        assert.equal(alerts.length, 1);
        assert.equal(alerts[0]?.kind, 'reverse_brute_force');
        assert.equal(alerts[0]?.accounts_count, REVERSE_BRUTE_FORCE_ACCOUNTS_MIN);
        assert.deepEqual(alerts[0]?.source_ips, [ATTACKER_IP]);
        assert.deepEqual(alerts[0]?.operator_ids, [fixture.operator.id]);

        const elsewhere = await legacyLink(fixture, { account_number: '0000030', pin: '1234', name_kana: 'サトウ イチロウ', birth_date: '1950-01-01' }, { ip: '192.0.2.99' });
        assert.equal(elsewhere.response.statusCode, 429, 'the sprayed PIN stays blocked from another address');
        assert.equal((await legacyLink(fixture, {}, { ip: '192.0.2.99' })).response.statusCode, 201, 'other customers still link');
      });
    });

    test(`an address over its window of ${SOURCE_IP_FAILURES_PER_WINDOW_MAX} failures is refused with 429 and nothing is written to links`, async () => {
      await withFixture(backend, async (fixture) => {
        for (let i = 0; i < SOURCE_IP_FAILURES_PER_WINDOW_MAX; i++) {
          // Another account and another PIN each time: no account lock, no reverse brute force, only the address.
          const { response } = await legacyLink(fixture, { account_number: String(7_000_000 + i), pin: String(1000 + i) }, { ip: ATTACKER_IP });
          assert.equal(response.statusCode, 422);
        }
        const before = await fixture.snapshot();
        const { response } = await legacyLink(fixture, {}, { ip: ATTACKER_IP });
        assert.equal(response.statusCode, 429);
        assert.equal(response.json().code, 'too_many_attempts');
        assert.deepEqual(await fixture.snapshot(), before);
        assert.equal(await linkCount(fixture), 0);
        assert.equal((await legacyLink(fixture, {}, { ip: '192.0.2.10' })).response.statusCode, 201, 'another address is not throttled');
      });
    });

    test(`a device over its window of ${DEVICE_FAILURES_PER_WINDOW_MAX} failures is refused while the operator's other devices still link`, async () => {
      await withFixture(backend, async (fixture) => {
        for (let i = 0; i < DEVICE_FAILURES_PER_WINDOW_MAX; i++) {
          await legacyLink(fixture, { account_number: String(7_100_000 + i), pin: String(3000 + i) }, { device_id: 'phone-A' });
        }
        const refused = await legacyLink(fixture, {}, { device_id: 'phone-A' });
        assert.equal(refused.response.statusCode, 429);
        assert.equal(await linkCount(fixture), 0);
        assert.equal((await legacyLink(fixture, {}, { device_id: 'phone-B' })).response.statusCode, 201);
      });
    });

    for (const [name, device_id] of [['with spaces', 'my phone'], ['too long', 'x'.repeat(129)], ['with a quote', 'abc"def']] as const) {
      test(`an X-Device-Id ${name} is refused with validation_failed and nothing is recorded`, async () => {
        await withFixture(backend, async (fixture) => {
          const { response } = await legacyLink(fixture, {}, { device_id });
          assert.equal(response.statusCode, 400);
          assert.equal(response.json().code, 'validation_failed');
          assert.deepEqual(await fixture.db.query(`SELECT id FROM credential_attempts`), []);
        });
      });
    }

    test('after staff unlock the right PIN links again, and every attempt was recorded without the PIN', async () => {
      await withFixture(backend, async (fixture) => {
        for (let i = 0; i < PIN_FAILURES_PER_ACCOUNT_MAX; i++) await legacyLink(fixture, { pin: String(4000 + i) });
        assert.equal((await legacyLink(fixture)).response.statusCode, 423);
        const { throttle } = fixture.bank.services;
        const [lock] = await throttle.listLocks();
        assert.equal(await throttle.unlockAccount(lock!.id, { by: fixture.operator.id }), true);
        assert.equal((await legacyLink(fixture)).response.statusCode, 201);
        const attempts = await fixture.db.query<{ outcome: string; operator_id: string; source_ip: string; secret_fingerprint: string }>(
          `SELECT outcome, operator_id, source_ip, secret_fingerprint FROM credential_attempts ORDER BY id`);
        assert.deepEqual(attempts.map((a) => a.outcome), [...Array(PIN_FAILURES_PER_ACCOUNT_MAX).fill('failure'), 'success']);
        assert.ok(attempts.every((a) => a.operator_id === fixture.operator.id && a.source_ip === '127.0.0.1'));
        assert.ok(attempts.every((a) => !/^[0-9]{4}$/.test(a.secret_fingerprint)));
      });
    });
  });
}
