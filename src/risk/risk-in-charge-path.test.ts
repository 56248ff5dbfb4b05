import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { charge, createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { DEFAULT_RISK_CONFIG } from './default-risk-config.ts';
import { createRiskPipeline } from './risk-pipeline.ts';
import type { RiskConfig } from './risk-config.ts';
import type { RiskFeatures } from './risk-features.ts';
import { loadChargeFeatures } from './load-charge-features.ts';
import type { Link } from '../linking/link.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

interface DecisionRow {
  charge_id: string | null;
  link_id: string | null;
  stage: string;
  action: string;
  enforced: boolean;
  reasons: string[];
  rules: Array<{ rule: string; outcome: string; reason: string }>;
  config_id: string;
  features: RiskFeatures;
}

/** The shipped config with tight per-link velocity caps (3rd charge in an hour alerts, 5th blocks), as a new version. */
const TIGHT_VELOCITY: RiskConfig = {
  ...DEFAULT_RISK_CONFIG,
  id: 'test-tight-velocity@1',
  rules: {
    ...DEFAULT_RISK_CONFIG.rules,
    'velocity-over-caps@1': {
      ...(DEFAULT_RISK_CONFIG.rules['velocity-over-caps@1'] as object),
      link_charges_1h_bands: [
        { lower: 0, upper: 3, outcome: 'pass', reason: 'link_velocity_normal' },
        { lower: 3, upper: 5, outcome: 'alert', reason: 'link_velocity_high' },
        { lower: 5, upper: null, outcome: 'block', reason: 'link_velocity_over_cap' },
      ],
    },
  },
};

for (const backend of testBackends) {
  describe(`risk in the charge path on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let key = 0;
    const nextKey = () => `risk-${++key}`;
    const decisions = (where = 'true', params: unknown[] = []) =>
      fixture.db.query<DecisionRow>(`SELECT charge_id, link_id, stage, action, enforced, reasons, rules, config_id, features FROM risk_decisions WHERE ${where} ORDER BY decided_at, id`, params);
    const decisionFor = async (charge_id: string) => (await decisions('charge_id = $1', [charge_id]))[0]!;

    let serial = 0;
    /** A fresh bank customer with an account (so tests sharing one bank do not share history), linkable by PIN. */
    async function openCustomer(birth_year = 1980, pin = '1357') {
      const n = ++serial;
      const { core } = fixture.bank.services;
      const birth_date = `${birth_year}-05-0${n % 9 + 1}`;
      const person = await core.openCustomer({
        name_kanji: `顧客 ${n}`, name_kana: 'テスト タロウ', birth_date, phone: `090-5555-${String(1000 + n)}`,
        email: `c${n}@example.jp`, address: '東京都', login_id: `customer${n}`, password: 'correct horse battery',
      });
      const account_number = String(2_000_000 + n);
      const account = await core.openAccount({ customer_id: person.id, branch_code: '002', account_number, pin });
      await core.deposit(account.id, 200_000, '入金');
      return { customer_id: person.id, account_id: account.id, fields: { branch_code: '002', account_number, pin, name_kana: 'テスト タロウ', birth_date } };
    }

    /** Links a fresh customer (elderly unless told) from `source`; the link's credential and the customer. */
    async function linkedCustomer(birth_year = 1948, source: { ip?: string; device_id?: string } = {}) {
      const customer = await openCustomer(birth_year);
      const { response, body } = await legacyLink(fixture, customer.fields, source);
      assert.equal(response.statusCode, 201, response.body);
      return { ...customer, link_id: body.link.id, link_token: body.link_token };
    }

    describe('with the shipped config', () => {
      // One bank for these tests (a fixture costs seconds); each test links customers of its own.
      before(async () => {
        fixture = await createBankFixture(backend, { waiting_charge_jobs: false });
      });
      after(() => fixture?.close());

      test('every charge that reaches the risk step leaves a decision with its features, rule outcomes and config, allowed or not', async () => {
        const customer = await linkedCustomer(1948);
        const allowed = await charge(fixture, customer.link_token, { amount_yen: 5_000 }, nextKey());
        const challenged = await charge(fixture, customer.link_token, { amount_yen: 40_000 }, nextKey());
        assert.equal(allowed.statusCode, 201);
        assert.equal(challenged.statusCode, 202);
        const first = await decisionFor(allowed.json().id);
        assert.equal(first.action, 'allow');
        assert.equal(first.enforced, true);
        assert.equal(first.config_id, 'furikae-default@6');
        assert.equal(first.features.amount_yen, 5_000);
        assert.equal(first.features.customer_age_years, 78);
        assert.equal(first.features.customer_charges_24h, 1);
        assert.equal(first.features.link_method, 'legacy_pin');
        assert.ok(first.rules.some((r) => r.rule === 'weak-link-method@1' && r.outcome === 'alert'));
        assert.ok(first.rules.some((r) => r.rule === 'new-payee-for-customer@1' && r.outcome === 'alert'));
        const second = await decisionFor(challenged.json().id);
        assert.equal(second.action, 'challenge');
        assert.ok(second.reasons.includes('amount_large_without_history'));
        const [row] = await fixture.db.query<{ status: string; risk_decision: string; risk_reasons: string[] }>(
          `SELECT status, risk_decision, risk_reasons FROM charges WHERE id = $1`, [challenged.json().id]);
        assert.deepEqual(row, { status: 'pending_approval', risk_decision: 'challenge', risk_reasons: second.reasons });
      });

      test('the recorded features replay to the same decision', async () => {
        const customer = await linkedCustomer(1948);
        for (const amount_yen of [1_000, 40_000, 100_000]) await charge(fixture, customer.link_token, { amount_yen }, nextKey());
        const pipeline = createRiskPipeline(DEFAULT_RISK_CONFIG);
        const rows = await decisions(`stage = 'charge' AND customer_id = $1`, [customer.customer_id]);
        assert.equal(rows.length, 3);
        for (const row of rows) {
          const replayed = pipeline.decide(row.features);
          assert.deepEqual({ action: replayed.action, reasons: replayed.reasons, rules: replayed.rules }, { action: row.action, reasons: row.reasons, rules: row.rules });
        }
      });

      test('the first charge on a link has no history; later ones count it, and the operator counts as used only by links made afterwards', async () => {
        const first = await linkedCustomer(1980);
        const a = await charge(fixture, first.link_token, { amount_yen: 2_000 }, nextKey());
        const b = await charge(fixture, first.link_token, { amount_yen: 3_000 }, nextKey());
        const fa = (await decisionFor(a.json().id)).features;
        const fb = (await decisionFor(b.json().id)).features;
        assert.deepEqual([fa.link_charges_count, fa.customer_charges_count, fa.customer_charge_yen_largest, fa.operator_used_before_link], [0, 0, 0, false]);
        assert.deepEqual([fb.link_charges_count, fb.customer_charges_count, fb.customer_charge_yen_largest, fb.operator_used_before_link], [1, 1, 2_000, false]);
        fixture.clock.advance(1_000);
        const relinked = await legacyLink(fixture, first.fields);
        const c = await charge(fixture, relinked.body.link_token, { amount_yen: 1_000 }, nextKey());
        const fc = (await decisionFor(c.json().id)).features;
        assert.deepEqual([fc.link_charges_count, fc.customer_charges_count, fc.operator_used_before_link, fc.account_links_active], [0, 2, true, 2]);
      });

      test('charges in one batch count forward through the velocity windows, and later batches add to them', async () => {
        const body = await linkedCustomer(1980);
        const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => charge(fixture, body.link_token, { amount_yen: 100 + i }, nextKey())));
        const counts = await Promise.all(burst.map(async (r) => (await decisionFor(r.json().id)).features.link_charges_1h));
        assert.deepEqual([...counts].sort((x, y) => x - y), [1, 2, 3, 4, 5, 6]);
        const later = await charge(fixture, body.link_token, { amount_yen: 50 }, nextKey(), );
        const features = (await decisionFor(later.json().id)).features;
        assert.equal(features.link_charges_1h, 7);
        assert.equal(features.customer_charges_24h, 7);
        assert.ok(features.ip_charges_1h >= 7, 'every test here charges from 127.0.0.1');
        assert.equal(features.device_charges_1h, null);
        fixture.clock.advance(61 * 60 * 1000);
        const next_hour = await charge(fixture, body.link_token, { amount_yen: 50 }, nextKey());
        const moved = (await decisionFor(next_hour.json().id)).features;
        assert.deepEqual([moved.link_charges_1h, moved.customer_charges_24h], [1, 8]);
      });

      test('an X-Device-Id on a charge is counted per device', async () => {
        const body = await linkedCustomer(1980);
        const send = () => fixture.bank.app.inject({
          method: 'POST', url: '/v1/charges', payload: { amount_yen: 500 },
          headers: { authorization: `Bearer ${body.link_token}`, 'idempotency-key': nextKey(), 'x-device-id': 'phone-abc' },
        });
        await send();
        const second = await send();
        assert.equal((await decisionFor(second.json().id)).features.device_charges_1h, 2);
      });

      test('a malformed X-Device-Id is refused with validation_failed and changes nothing', async () => {
        const body = await linkedCustomer(1980);
        const before = await fixture.snapshot();
        const response = await fixture.bank.app.inject({
          method: 'POST', url: '/v1/charges', payload: { amount_yen: 500 },
          headers: { authorization: `Bearer ${body.link_token}`, 'idempotency-key': nextKey(), 'x-device-id': 'has spaces/and slashes' },
        });
        assert.equal(response.statusCode, 400);
        assert.equal(response.json().code, 'validation_failed');
        await fixture.assertNothingWritten(before);
      });

      test('a charge right after a failed PIN attempt on the account carries the failure, and the 2020 pattern then is held', async () => {
        const customer = await openCustomer(1948);
        assert.equal((await legacyLink(fixture, { ...customer.fields, pin: '0000' })).response.statusCode, 422);
        fixture.clock.advance(5 * 60 * 1000);
        const { body } = await legacyLink(fixture, customer.fields);
        const response = await charge(fixture, body.link_token, { amount_yen: 100_000 }, nextKey());
        assert.equal(response.statusCode, 202);
        assert.equal(response.json().status, 'held');
        const row = await decisionFor(response.json().id);
        assert.equal(row.features.credential_failures_24h, 1);
        assert.equal(row.features.credential_failure_seconds_ago, 300);
        assert.ok(row.reasons.includes('within_hour_of_failed_login'));
        const alerts = await fixture.bank.services.cases.listAlerts({ customer_id: customer.customer_id });
        assert.ok(alerts.some((alert) => alert.kind === 'risk_hold' && alert.charge_id === response.json().id), 'a hold raises a staff alert');
      });

      test('a charge after the customer’s second factor locked carries the lock, and is held', async () => {
        const customer = await linkedCustomer(1980);
        for (let i = 0; i < 5; i++) await fixture.bank.services.secondFactors.verify(customer.customer_id, { factor: 'sms', code: '000000' });
        fixture.clock.advance(60_000);
        const response = await charge(fixture, customer.link_token, { amount_yen: 2_000 }, nextKey());
        const row = await decisionFor(response.json().id);
        assert.equal(row.features.credential_lock_seconds_ago, 60);
        assert.equal(row.features.credential_attack_seconds_ago, 60);
        assert.ok(row.reasons.includes('within_day_of_credential_attack'));
        assert.equal(response.json().status, 'pending_approval', 'a lock (40) plus a new link (10), a new payee (10), no history (5) and no attestation (5) challenges');
      });

      test('a month after a second factor locked and was unlocked the lock has left the 7-day window, but the attack counts for 90 days', async () => {
        const customer = await linkedCustomer(1980);
        for (let i = 0; i < 5; i++) await fixture.bank.services.secondFactors.verify(customer.customer_id, { factor: 'sms', code: '000000' });
        assert.equal(await fixture.bank.services.secondFactors.unlock(customer.customer_id, 'sms', { by: 'staff:test' }), true);
        const at = async (days: number) => {
          fixture.clock.advance(days * DAY_MS);
          const response = await charge(fixture, customer.link_token, { amount_yen: 1_000 }, nextKey());
          return decisionFor(response.json().id);
        };
        const month = await at(30);
        assert.equal(month.features.credential_lock_seconds_ago, null);
        assert.equal(month.features.credential_attack_seconds_ago, 30 * 24 * 60 * 60);
        assert.ok(month.reasons.includes('after_credential_attack'));
        assert.ok((await at(59)).reasons.includes('after_credential_attack'), 'day 89');
        const past = await at(2);
        assert.equal(past.features.credential_attack_seconds_ago, null, 'day 91: past the 90-day window');
        assert.ok(!past.reasons.includes('after_credential_attack'));
      });

      test('25 hours after a PIN was guessed by spraying it across accounts, a charge on the link it made still carries the attack', async () => {
        // The thief's guess succeeds on the victim first, then fails on five more accounts: a reverse brute force.
        const victim = await openCustomer(1980, '1111');
        const { response, body } = await legacyLink(fixture, victim.fields, { ip: '198.51.100.40' });
        assert.equal(response.statusCode, 201, response.body);
        for (let n = 0; n < 5; n++) {
          const other = await openCustomer(1980, '2468');
          assert.equal((await legacyLink(fixture, { ...other.fields, pin: '1111' }, { ip: `198.51.100.${41 + n}` })).response.statusCode, 422);
        }
        const [alert] = await fixture.db.query<{ kind: string }>(`SELECT kind FROM credential_alerts WHERE kind = 'reverse_brute_force'`);
        assert.equal(alert?.kind, 'reverse_brute_force', 'the spray was detected');
        // It also suspended the operator's new links (src/throttle/reverse-brute-force-containment.ts); staff lift that,
        // and the links made before it go on charging.
        assert.equal((await fixture.bank.services.operators.get(fixture.operator.id))?.new_links_suspended, true, 'the operator was contained');
        await fixture.bank.services.operators.setSwitch(fixture.operator.id, 'new_links_suspended', false);
        fixture.clock.advance(25 * 60 * 60 * 1000);
        const charged = await charge(fixture, body.link_token, { amount_yen: 2_000 }, nextKey());
        const row = await decisionFor(charged.json().id);
        assert.equal(row.features.credential_failure_seconds_ago, null, 'the victim’s own account never failed, and a day has passed');
        assert.ok(row.features.credential_attack_seconds_ago! >= 25 * 60 * 60, String(row.features.credential_attack_seconds_ago));
        assert.ok(row.reasons.includes('after_credential_attack'));
        const clean = await linkedCustomer(1980);
        const untouched = await charge(fixture, clean.link_token, { amount_yen: 2_000 }, nextKey());
        assert.equal((await decisionFor(untouched.json().id)).features.credential_attack_seconds_ago, null, 'an account the spray never touched is clean');
      });

      test('a dormant account linked and charged after 200 idle days is challenged even for a small amount', async () => {
        const customer = await openCustomer(1948);
        fixture.clock.advance(200 * DAY_MS);
        const { body } = await legacyLink(fixture, customer.fields);
        fixture.clock.advance(8 * DAY_MS);
        const response = await charge(fixture, body.link_token, { amount_yen: 5_000 }, nextKey());
        assert.equal(response.statusCode, 202);
        const row = await decisionFor(response.json().id);
        assert.equal(row.features.account_idle_days, 208);
        assert.ok(row.reasons.includes('account_dormant_6_months'));
      });

      test('a holder who wakes a dormant account by linking through the bank with a second factor is not dormant on that link’s charges, while a PIN link on the same account is', async () => {
        const customer = await openCustomer(1948);
        fixture.clock.advance(400 * DAY_MS);
        const { body } = await legacyLink(fixture, customer.fields);
        const legacy = (await fixture.db.query<Link>(`SELECT * FROM links WHERE id = $1`, [body.link.id]))[0]!;
        // The FAPI link's row as the consent flow writes it (that flow's MFA is tested in src/fapi); here only the
        // feature the risk step reads from it is under test.
        const [fapi] = await fixture.db.query<Link>(
          `INSERT INTO links (id, operator_id, account_id, method, status, charge_yen_max, charges_yen_per_month_max, created_at)
           VALUES (gen_random_uuid(), $1, $2, 'fapi2', 'active', 100000, 300000, $3) RETURNING *`, [legacy.operator_id, customer.account_id, fixture.clock.now()]);
        fixture.clock.advance(3 * 60 * 60 * 1000);
        const input = (link: Link) => ({ link, charge_yen_max: 100_000, amount_yen: 5_000, operator_registered_at: new Date(0), source_ip: '203.0.113.1', device_id: null });
        const [onPin, onFapi] = await loadChargeFeatures(fixture.db, [input(legacy), input(fapi!)], fixture.clock.now());
        assert.equal(onPin!.features.account_idle_days, 400, 'a PIN proves nothing about who holds the account');
        assert.equal(onFapi!.features.account_idle_days, 0, 'the holder signed in with a second factor three hours ago');
        fixture.clock.advance(200 * DAY_MS);
        const [later] = await loadChargeFeatures(fixture.db, [input(fapi!)], fixture.clock.now());
        assert.equal(later!.features.account_idle_days, 200, 'a FAPI link left unused for months is dormant again');
      });

      test('a failed attempt before a link made with a second factor does not count on that link’s charges, while it counts on a PIN link and a later failure counts on both', async () => {
        const customer = await openCustomer(1950);
        assert.equal((await legacyLink(fixture, { ...customer.fields, pin: '0000' })).response.statusCode, 422);
        fixture.clock.advance(10 * 60 * 1000);
        const { body } = await legacyLink(fixture, customer.fields);
        const legacy = (await fixture.db.query<Link>(`SELECT * FROM links WHERE id = $1`, [body.link.id]))[0]!;
        // The FAPI link's row as the consent flow writes it (that flow's MFA is tested in src/authorization); here
        // only the feature the risk step reads from it is under test.
        const [fapi] = await fixture.db.query<Link>(
          `INSERT INTO links (id, operator_id, account_id, method, status, charge_yen_max, charges_yen_per_month_max, created_at)
           VALUES (gen_random_uuid(), $1, $2, 'fapi2', 'active', 100000, 300000, $3) RETURNING *`, [legacy.operator_id, customer.account_id, fixture.clock.now()]);
        fixture.clock.advance(60 * 60 * 1000);
        const input = (link: Link) => ({ link, charge_yen_max: 100_000, amount_yen: 5_000, operator_registered_at: new Date(0), source_ip: '203.0.113.1', device_id: null });
        const [onPin, onFapi] = await loadChargeFeatures(fixture.db, [input(legacy), input(fapi!)], fixture.clock.now());
        assert.equal(onPin!.features.credential_failure_seconds_ago, 70 * 60, 'a PIN link proves nothing about the failure before it');
        assert.equal(onFapi!.features.credential_failure_seconds_ago, null, 'the holder signed in with a second factor after the failure');
        assert.equal((await legacyLink(fixture, { ...customer.fields, pin: '0000' })).response.statusCode, 422);
        fixture.clock.advance(5 * 60 * 1000);
        const [pinAfter, fapiAfter] = await loadChargeFeatures(fixture.db, [input(legacy), input(fapi!)], fixture.clock.now());
        assert.equal(pinAfter!.features.credential_failure_seconds_ago, 300);
        assert.equal(fapiAfter!.features.credential_failure_seconds_ago, 300, 'a failure after the link is news on it too');
      });

      test('a link to an operator the customer already uses from a new wallet is a new payee; the same wallet relinking is not', async () => {
        const customer = await openCustomer(1980);
        const own = await legacyLink(fixture, customer.fields, { device_id: 'holder-phone' });
        assert.equal((await charge(fixture, own.body.link_token, { amount_yen: 1_000 }, nextKey())).statusCode, 201);
        fixture.clock.advance(60_000);
        const chargeOn = async (device_id: string) => {
          const { body } = await legacyLink(fixture, customer.fields, { device_id });
          const [linkDecision] = await decisions(`stage = 'link' AND link_id = $1`, [body.link.id]);
          const response = await charge(fixture, body.link_token, { amount_yen: 1_000 }, nextKey());
          return { link: linkDecision!.features, charge: (await decisionFor(response.json().id)) };
        };
        const thief = await chargeOn('thief-phone');
        assert.equal(thief.link.wallet_identity_new_at_operator, true);
        assert.deepEqual([thief.charge.features.operator_used_before_link, thief.charge.features.wallet_identity_new_at_operator], [true, true]);
        assert.ok(thief.charge.reasons.includes('wallet_identity_new_at_operator'));
        const again = await chargeOn('holder-phone');
        assert.equal(again.link.wallet_identity_new_at_operator, false);
        assert.deepEqual([again.charge.features.operator_used_before_link, again.charge.features.wallet_identity_new_at_operator], [true, false]);
        assert.ok(!again.charge.reasons.includes('wallet_identity_new_at_operator'));
      });

      test('on a FAPI link the wallet identity is the attested subject: another subject at a used operator is new', async () => {
        const customer = await openCustomer(1980);
        const { body } = await legacyLink(fixture, customer.fields);
        await charge(fixture, body.link_token, { amount_yen: 1_000 }, nextKey());
        const legacy = (await fixture.db.query<Link>(`SELECT * FROM links WHERE id = $1`, [body.link.id]))[0]!;
        fixture.clock.advance(60_000);
        // FAPI links' rows as the consent flow writes them (that flow is tested in src/authorization); only the
        // attested subject the risk step reads is under test here.
        const fapiLink = async (sub: string) => (await fixture.db.query<Link>(
          `INSERT INTO links (id, operator_id, account_id, method, status, charge_yen_max, charges_yen_per_month_max, created_at, kyc_attestation)
           VALUES (gen_random_uuid(), $1, $2, 'fapi2', 'active', 100000, 300000, $3, $4) RETURNING *`,
          [legacy.operator_id, customer.account_id, fixture.clock.now(), JSON.stringify({ sub, kyc: { level: 'ekyc_document_face' } })]))[0]!;
        const first = await fapiLink('wallet-user-1');
        fixture.clock.advance(60_000);
        const same = await fapiLink('wallet-user-1');
        const other = await fapiLink('wallet-user-2');
        const input = (link: Link) => ({ link, charge_yen_max: 100_000, amount_yen: 5_000, operator_registered_at: new Date(0), source_ip: '203.0.113.1', device_id: null });
        const [onFirst, onSame, onOther] = await loadChargeFeatures(fixture.db, [input(first), input(same), input(other)], fixture.clock.now());
        assert.equal(onFirst!.features.wallet_identity_new_at_operator, true, 'the PIN link had no subject: unknown is not the same');
        assert.equal(onSame!.features.wallet_identity_new_at_operator, false);
        assert.equal(onOther!.features.wallet_identity_new_at_operator, true);
      });

      test('where a link came from is recorded with its counts, and its decision too', async () => {
        const body = await linkedCustomer(1980, { ip: '198.51.100.7', device_id: 'thief-phone-1' });
        const [origin] = await fixture.db.query(`SELECT source_ip, device_id, device_links_24h, ip_links_24h, device_accounts_30d FROM link_origins WHERE link_id = $1`, [body.link_id]);
        assert.deepEqual(origin, { source_ip: '198.51.100.7', device_id: 'thief-phone-1', device_links_24h: 1, ip_links_24h: 1, device_accounts_30d: 1 });
        const [decision] = await decisions(`stage = 'link' AND link_id = $1`, [body.link_id]);
        assert.equal(decision?.action, 'allow');
        assert.equal(decision?.features.stage, 'link');
      });

      test('one device linking several customers’ accounts is held from the third link, its charges held, and denied on the sixth', async () => {
        const source = { ip: '203.0.113.9', device_id: 'farm-device' };
        const results: number[] = [];
        const linked: Array<{ link_token: string }> = [];
        const customers: string[] = [];
        for (let n = 1; n <= 6; n++) {
          const customer = await openCustomer();
          customers.push(customer.customer_id);
          const { response, body } = await legacyLink(fixture, customer.fields, source);
          results.push(response.statusCode);
          if (response.statusCode === 201) linked.push(body);
          else assert.equal(body.code, 'link_credentials_mismatch');
        }
        // The sixth is denied, and told only what a wrong PIN is told: a distinct refusal would confirm the PIN.
        assert.deepEqual(results, [201, 201, 201, 201, 201, 422]);
        const linkDecisions = (await decisions(`stage = 'link' AND customer_id = ANY($1::uuid[])`, [customers])).map((d) => d.action);
        assert.deepEqual(linkDecisions, ['allow', 'allow', 'hold', 'hold', 'hold', 'deny']);
        const denied = (await decisions(`stage = 'link' AND action = 'deny' AND customer_id = ANY($1::uuid[])`, [customers]))[0]!;
        assert.equal(denied.link_id, null, 'a denied link was never written');
        const onFourth = await charge(fixture, linked[3]!.link_token, { amount_yen: 1_000 }, nextKey());
        assert.equal(onFourth.json().status, 'held');
        const alerts = await fixture.bank.services.cases.listAlerts();
        assert.ok(alerts.filter((alert) => alert.kind === 'risk_link').length >= 4);
      });
    });

    describe('with a tighter velocity config', () => {
      before(async () => {
        fixture = await createBankFixture(backend, { waiting_charge_jobs: false, risk: { config: TIGHT_VELOCITY } });
      });
      after(() => fixture?.close());

      test('a denied charge leaves its decision and an alert, but no charge row and no money moved', async () => {
        const { body } = await legacyLink(fixture);
        for (let i = 0; i < 4; i++) await charge(fixture, body.link_token, { amount_yen: 100 }, nextKey());
        const before = await fixture.snapshot();
        const response = await charge(fixture, body.link_token, { amount_yen: 100 }, nextKey());
        assert.equal(response.statusCode, 403);
        assert.equal(response.json().code, 'charge_denied');
        assert.equal(response.json().reasons, undefined, 'the operator is not told why');
        await fixture.assertNothingWritten(before, { except: ['risk_decision', 'risk_velocity', 'operator_activity', 'operator_baseline', 'operator_source', 'risk_alert'] });
        const [denied] = await decisions(`action = 'deny'`);
        assert.equal(denied?.config_id, 'test-tight-velocity@1');
        assert.ok(denied?.reasons.includes('link_velocity_over_cap'));
        const [row] = await fixture.db.query(`SELECT 1 FROM charges WHERE id = $1`, [denied!.charge_id]);
        assert.equal(row, undefined);
        const alerts = await fixture.bank.services.cases.listAlerts();
        assert.ok(alerts.some((alert) => alert.kind === 'risk_deny' && alert.charge_id === denied!.charge_id));
        const metrics = await fixture.bank.services.metrics.registry.metrics();
        assert.match(metrics, /furikae_charges_total\{outcome="deny"\} 1/);
        assert.match(metrics, /furikae_risk_rule_hits_total\{rule="velocity-over-caps@1",outcome="block"\} 1/);
      });
    });

    describe('in observe mode', () => {
      before(async () => {
        fixture = await createBankFixture(backend, { waiting_charge_jobs: false, risk: { mode: 'observe' } });
      });
      after(() => fixture?.close());

      test('the 2020 pattern is decided and recorded as a hold, not enforced, and the money moves', async () => {
        const { body } = await legacyLink(fixture);
        const response = await charge(fixture, body.link_token, { amount_yen: 100_000 }, nextKey());
        assert.equal(response.statusCode, 201);
        assert.equal(response.json().status, 'succeeded');
        const row = await decisionFor(response.json().id);
        assert.deepEqual([row.action, row.enforced], ['hold', false]);
      });
    });
  });
}
