import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { basicAuth, charge, createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { staffGet, staffPost, staffSession } from '../testing/staff-session.ts';
import { OPERATOR_ESTABLISHED_MS } from './operator-anomaly.ts';

const HOUR_MS = 60 * 60 * 1000;

/** An operator of its own for one test (registered now, on the 2020 PIN path), so tests can share one bank. */
async function newOperator(fixture: BankFixture, name: string) {
  const { operator, client_secret } = await fixture.bank.services.operators.register({ display_name: name, passbook_label: name, link_methods_allowed: ['legacy_pin'] });
  return { id: operator.id, basic: basicAuth(operator.client_id, client_secret) };
}

let serial = 0;
/** A customer of 46 with ¥200,000, linked by PIN to `operator`: the link's credential and the link request's answer. */
async function linkCustomer(fixture: BankFixture, operator: { basic: string }) {
  const n = ++serial;
  const { core } = fixture.bank.services;
  const birth_date = `1980-04-${String(n % 28 + 1).padStart(2, '0')}`;
  const person = await core.openCustomer({
    name_kanji: `顧客 ${n}`, name_kana: 'テスト タロウ', birth_date, phone: `090-6666-${1000 + n}`, email: `op${n}@example.jp`,
    address: '東京都', login_id: `opcustomer${n}`, password: 'correct horse battery',
  });
  const account_number = String(3_000_000 + n);
  const account = await core.openAccount({ customer_id: person.id, branch_code: '003', account_number, pin: '2468' });
  await core.deposit(account.id, 200_000, '入金');
  return fixture.bank.app.inject({
    method: 'POST', url: '/v1/links/legacy', headers: { authorization: operator.basic },
    payload: { branch_code: '003', account_number, pin: '2468', name_kana: 'テスト タロウ', birth_date },
  });
}

/** `count` linked customers of `operator`: their link credentials. */
async function linkedCustomers(fixture: BankFixture, operator: { basic: string }, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let n = 0; n < count; n++) {
    const response = await linkCustomer(fixture, operator);
    assert.equal(response.statusCode, 201, response.body);
    tokens.push(response.json().link_token);
  }
  return tokens;
}

/** Charges ¥1,000 `count` times round the links, all at the fixture's current instant; the status of each. */
async function chargeRound(fixture: BankFixture, tokens: string[], count: number, prefix: string): Promise<string[]> {
  const statuses: string[] = [];
  for (let n = 0; n < count; n++) {
    const response = await charge(fixture, tokens[n % tokens.length]!, { amount_yen: 1_000 }, `${prefix}-${n}`);
    assert.ok(response.statusCode === 201 || response.statusCode === 202, response.body);
    statuses.push(response.json().status);
  }
  return statuses;
}

/** Sets an operator's containment level as an admin would (the action stays the default). */
async function setLevel(fixture: BankFixture, operator_id: string, level: number) {
  const admin = await fixture.bank.services.staff.create({ login_id: `policy-${++serial}`, display_name: 'policy admin', password: 'policy-admin-password', role: 'admin' });
  await fixture.bank.services.operators.setContainmentPolicy(operator_id, { level, action: 'hold_charges_and_suspend_links' }, { staff_id: admin.id, reason: 'test level' });
}

const containments = (fixture: BankFixture, operator_id: string) => fixture.db.query<{ operator_id: string; action: string; level: number; measure: string; released_at: Date | null; released_by: string | null; release_reason: string | null }>(
  `SELECT operator_id, action, level, measure, released_at, released_by, release_reason FROM operator_containments WHERE operator_id = $1 ORDER BY started_at`, [operator_id]);

for (const backend of testBackends) {
  describe(`automatic operator containment and source addresses on ${backend.name}`, { skip: backend.skip }, () => {
    // One bank for these tests (a fixture costs seconds); each test registers an operator of its own.
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend, { waiting_charge_jobs: false });
    });
    after(() => fixture?.close());

    test('an established operator is contained at its containment level and not below: the charge that crosses it and every later one are held, new links suspended, staff alerted and the chain audited', async () => {
      const operator = await newOperator(fixture, 'Leaky Pay');
      const tokens = await linkedCustomers(fixture, operator, 5);
      // Its own level of 2 (the default 5 takes 25 charges, src/operators/operator-baselines.test.ts): 10 charges cross it.
      await setLevel(fixture, operator.id, 2);
      fixture.clock.advance(OPERATOR_ESTABLISHED_MS + HOUR_MS);
      // No history: the established floor of 5 charges per 10 minutes is the bar.
      assert.deepEqual(await chargeRound(fixture, tokens, 9, 'burst'), Array(9).fill('succeeded'));
      assert.deepEqual(await containments(fixture, operator.id), [], 'level 1.8: not contained');

      const [crossing] = await chargeRound(fixture, tokens, 1, 'crossing');
      assert.equal(crossing, 'held', 'the 10th charge in 10 minutes, level 2, is held');
      const [contained] = await containments(fixture, operator.id);
      assert.deepEqual({ ...contained, level: Number(contained!.level) }, {
        operator_id: operator.id, action: 'hold_charges_and_suspend_links', level: 2, measure: 'charge_10m', released_at: null, released_by: null, release_reason: null,
      });
      const alerts = (await fixture.bank.services.cases.listAlerts()).filter((alert) => alert.kind === 'operator_contained' && alert.operator_id === operator.id);
      assert.equal(alerts.length, 1);
      const audited = (await fixture.bank.services.audit.list({ action: 'operator.contained' })).filter((entry) => entry.subject === operator.id);
      assert.deepEqual(audited.map((entry) => [entry.staff_id, entry.details.level, entry.details.measure]), [[null, 2, 'charge_10m']]);
      const [held] = await fixture.db.query<{ risk_reasons: string[] }>(
        `SELECT c.risk_reasons FROM charges c JOIN links l ON l.id = c.link_id WHERE l.operator_id = $1 AND c.status = 'held'`, [operator.id]);
      assert.ok(held!.risk_reasons.includes('operator_contained'));

      // Hours later the burst is over, but the operator stays contained until an admin releases it.
      fixture.clock.advance(3 * HOUR_MS);
      assert.deepEqual(await chargeRound(fixture, tokens, 1, 'later'), ['held']);
      const refusedLink = await linkCustomer(fixture, operator);
      assert.equal(refusedLink.statusCode, 403);
      assert.equal(refusedLink.json().code, 'new_links_suspended');
      assert.equal((await containments(fixture, operator.id)).length, 1, 'contained once');
    });

    test('only an admin releases a containment, with a reason: a viewer’s or an analyst’s release is refused and changes nothing', async () => {
      const operator = await newOperator(fixture, 'Released Pay');
      const tokens = await linkedCustomers(fixture, operator, 5);
      await setLevel(fixture, operator.id, 2);
      fixture.clock.advance(OPERATOR_ESTABLISHED_MS + HOUR_MS);
      await chargeRound(fixture, tokens, 10, 'burst');
      assert.equal((await containments(fixture, operator.id)).length, 1);
      const url = `/staff/operators/${operator.id}/containment/release`;
      const viewer = await staffSession(fixture, 'viewer');
      const analyst = await staffSession(fixture, 'analyst');
      const admin = await staffSession(fixture, 'admin');
      const page = await staffGet(fixture, viewer, '/staff/operators');
      assert.match(page.body, /data-containment="hold_charges_and_suspend_links"/);
      assert.doesNotMatch(page.body, /data-action="release-containment"/);
      const before = await fixture.snapshot();
      for (const who of [viewer, analyst]) {
        const refused = await staffPost(fixture, who, url, { reason: '事業者確認済み' });
        assert.equal(refused.statusCode, 403);
        assert.match(refused.body, /data-code="staff_role_insufficient"/);
      }
      const noReason = await staffPost(fixture, admin, url, { reason: '   ' });
      assert.equal(noReason.statusCode, 422);
      assert.match(noReason.body, /data-code="staff_reason_invalid"/);
      await fixture.assertNothingWritten(before);

      assert.match((await staffGet(fixture, admin, '/staff/operators')).body, /data-action="release-containment"/);
      const released = await staffPost(fixture, admin, url, { reason: ' 事業者に確認: キャンペーンによる増加 ' });
      assert.equal(released.statusCode, 303);
      const [row] = await containments(fixture, operator.id);
      assert.deepEqual([row!.released_by, row!.release_reason, row!.released_at?.toISOString()], [admin.id, '事業者に確認: キャンペーンによる増加', fixture.clock.now().toISOString()]);
      const audited = (await fixture.bank.services.audit.list({ action: 'operator.containment_released' })).filter((entry) => entry.subject === operator.id);
      assert.deepEqual(audited.map((entry) => [entry.staff_id, entry.reason]), [[admin.id, '事業者に確認: キャンペーンによる増加']]);
      const again = await staffPost(fixture, admin, url, { reason: 'twice' });
      assert.equal(again.statusCode, 409, 'nothing left to release');

      // Released, and two hours on (the burst now part of the operator's own history) its charges and links go through.
      fixture.clock.advance(2 * HOUR_MS);
      assert.deepEqual(await chargeRound(fixture, tokens, 1, 'after'), ['succeeded']);
      assert.equal((await linkCustomer(fixture, operator)).statusCode, 201);
    });

    test('a burst of new links contains an established operator at its level: the link that crosses it is made, later ones are refused new_links_suspended', async () => {
      const operator = await newOperator(fixture, 'Farm Pay');
      await setLevel(fixture, operator.id, 2);
      fixture.clock.advance(OPERATOR_ESTABLISHED_MS + HOUR_MS);
      // The established floor for new links is 5 an hour: the 10th link in the hour is level 2.
      await linkedCustomers(fixture, operator, 9);
      assert.deepEqual(await containments(fixture, operator.id), [], 'level 1.8: not contained');
      assert.equal((await linkCustomer(fixture, operator)).statusCode, 201, 'the 10th link is made (its holder already consented)');
      const [contained] = await containments(fixture, operator.id);
      assert.deepEqual([contained?.measure, Number(contained?.level)], ['link_1h', 2]);
      const refused = await linkCustomer(fixture, operator);
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().code, 'new_links_suspended');
    });

    test('a new operator taking 26 charges in its first 10 minutes is not contained: an established one with no history would be (floors 50 and 5)', async () => {
      const operator = await newOperator(fixture, 'Launch Pay');
      const tokens = await linkedCustomers(fixture, operator, 5);
      assert.deepEqual(await chargeRound(fixture, tokens, 26, 'launch'), Array(26).fill('succeeded'));
      assert.deepEqual(await containments(fixture, operator.id), []);
    });

    test('a charge from an address the operator did not register is refused with operator_source_not_registered, changes nothing but an alert, and one from a registered address goes through', async () => {
      const operator = await newOperator(fixture, 'Bound Pay');
      const [token] = await linkedCustomers(fixture, operator, 1);
      const admin = await staffSession(fixture, 'admin');
      const set = await fixture.bank.services.operators.setSourceAddresses(operator.id, ['198.51.100.0/24', '2001:db8::10'], { staff_id: admin.id, reason: 'registration form' });
      assert.equal(set?.ok, true);
      const from = (remoteAddress: string, key: string) => fixture.bank.app.inject({
        method: 'POST', url: '/v1/charges', remoteAddress, payload: { amount_yen: 5_000 },
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': `bound-${key}` },
      });
      const before = await fixture.snapshot();
      for (const [ip, key] of [['203.0.113.9', 'a'], ['203.0.113.9', 'b'], ['198.51.101.1', 'c'], ['2001:db8::11', 'd']] as const) {
        const refused = await from(ip, key);
        assert.equal(refused.statusCode, 403, ip);
        assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
        assert.equal(refused.json().code, 'operator_source_not_registered');
      }
      await fixture.assertNothingWritten(before, { except: ['risk_alert'] });
      const alerts = (await fixture.bank.services.cases.listAlerts()).filter((alert) => alert.kind === 'operator_source_refused' && alert.operator_id === operator.id);
      assert.deepEqual(alerts.map((alert) => alert.details.source_ip).sort(), ['198.51.101.1', '2001:db8::11', '203.0.113.9'], 'one alert per address and hour');
      for (const [ip, key] of [['198.51.100.7', 'e'], ['::ffff:198.51.100.8', 'f'], ['2001:db8::10', 'g']] as const) {
        assert.equal((await from(ip, key)).statusCode, 201, ip);
      }
    });

    test('source addresses that are not addresses or blocks, or are too wide or too many, are refused and nothing changes', async () => {
      const operator = await newOperator(fixture, 'Careless Pay');
      const admin = await staffSession(fixture, 'admin');
      const before = await fixture.snapshot();
      for (const bad of [['example.com'], ['10.0.0.0/8'], ['198.51.100.0/33'], ['198.51.100.1/24/1'], ['2001:db8::/32'], ['198.51.100.0/'], Array(33).fill('198.51.100.1')]) {
        const result = await fixture.bank.services.operators.setSourceAddresses(operator.id, bad, { staff_id: admin.id, reason: 'test' });
        assert.equal(result?.ok, false, JSON.stringify(bad));
      }
      await fixture.assertNothingWritten(before);
    });
  });

  describe(`operator levels in observe mode on ${backend.name}`, { skip: backend.skip }, () => {
    test('the level is recorded with every decision and nobody is contained', async () => {
      const fixture = await createBankFixture(backend, { waiting_charge_jobs: false, risk: { mode: 'observe' } });
      try {
        const operator = await newOperator(fixture, 'Watched Pay');
        const tokens = await linkedCustomers(fixture, operator, 5);
        await setLevel(fixture, operator.id, 2);
        fixture.clock.advance(OPERATOR_ESTABLISHED_MS + HOUR_MS);
        assert.deepEqual(await chargeRound(fixture, tokens, 12, 'burst'), Array(12).fill('succeeded'));
        assert.deepEqual(await containments(fixture, operator.id), []);
        const levels = await fixture.db.query<{ level: number }>(
          `SELECT (features->>'operator_anomaly_level')::float8 AS level FROM risk_decisions WHERE stage = 'charge' AND operator_id = $1 ORDER BY decided_at, id`, [operator.id]);
        assert.deepEqual([levels[0]!.level, levels[9]!.level, levels[11]!.level], [0.2, 2, 2.4]);
      } finally {
        await fixture.close();
      }
    });
  });
}
