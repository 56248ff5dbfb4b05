import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { basicAuth, charge, createBankFixture, legacyLink, openAccountHolder, registerLegacyOperator, type BankFixture } from '../testing/bank-fixture.ts';
import {
  END_USER_FAILURES_OVER_SHARE_MAX, FAILURE_WINDOW_MS, OPERATOR_FAILURES_PER_WINDOW_MAX, REVERSE_BRUTE_FORCE_ACCOUNTS_MIN,
  SOURCE_IP_FAILURES_PER_WINDOW_MAX,
} from '../throttle/credential-limits.ts';
import { parseEndUserAddress } from '../throttle/end-user-address.ts';
import { pinAccountKey } from '../throttle/credential-attempt.ts';

/** The operator's server: every request it relays connects from here. */
const OPERATOR_SERVER = '10.20.30.40';
const BAD_ADDRESSES = ['wallet.example', '203.0.113.5:443', '[2001:db8::1]', 'fe80::1%eth0', '203.0.113.5, 198.51.100.7', '203.0.113.05', ''];

let unknownAccounts = 0;
/** A wrong try on an account nobody holds, each with a PIN of its own: no account lock, no reverse brute force, only the source. */
const wrongTry = (fixture: BankFixture, source: Parameters<typeof legacyLink>[2]) => {
  const n = ++unknownAccounts;
  return legacyLink(fixture, { account_number: String(6_000_000 + n), pin: String(n % 10_000).padStart(4, '0') }, { ip: OPERATOR_SERVER, ...source });
};
/**
 * The failures such tries record, written through the throttle as the route writes them but without the route's
 * scrypt per try: the tests below need a hundred of them before the moment they look at.
 */
const recordWrongTries = async (fixture: BankFixture, count: number, source: { operator_id: string; end_user_ip?: string }) => {
  for (let i = 0; i < count; i++) {
    const n = ++unknownAccounts;
    const end_user_ip = source.end_user_ip === undefined ? undefined : parseEndUserAddress(source.end_user_ip);
    await fixture.bank.services.throttle.recordFailure({
      credential: 'legacy_pin', account_key: pinAccountKey('001', String(6_000_000 + n)), operator_id: source.operator_id, source_ip: OPERATOR_SERVER,
      ...(end_user_ip ? { end_user_ip } : {}), secret: String(n % 10_000).padStart(4, '0'),
    });
  }
};

for (const backend of testBackends) {
  describe(`the end user's address and device on the legacy link and charges on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend);
    });
    after(() => fixture?.close());
    // A fresh hour for every test, so one test's failures never fill another's windows.
    beforeEach(() => fixture.clock.advance(FAILURE_WINDOW_MS));

    for (const address of BAD_ADDRESSES) {
      test(`a PSU-IP-Address of ${JSON.stringify(address)} is refused on the legacy link with end_user_address_invalid and nothing is written`, async () => {
        const holder = await openAccountHolder(fixture);
        const before = await fixture.snapshot();
        const { response } = await legacyLink(fixture, holder.details, { ip: OPERATOR_SERVER, end_user_ip: address });
        assert.equal(response.statusCode, 400);
        assert.match(response.headers['content-type'] as string, /application\/problem\+json/);
        assert.equal(response.json().code, 'end_user_address_invalid');
        await fixture.assertNothingWritten(before);
      });
    }

    test('a malformed PSU-IP-Address is refused on a charge with end_user_address_invalid and no money moves', async () => {
      const holder = await openAccountHolder(fixture);
      await fixture.bank.services.core.deposit(holder.account_id, 10_000, '入金');
      const { body } = await legacyLink(fixture, holder.details, { ip: OPERATOR_SERVER, end_user_ip: '203.0.113.9' });
      const before = await fixture.snapshot();
      const response = await fixture.bank.app.inject({
        method: 'POST', url: '/v1/charges', remoteAddress: OPERATOR_SERVER,
        headers: { authorization: `Bearer ${body.link_token}`, 'idempotency-key': 'k-bad-address', 'psu-ip-address': '203.0.113.9:80' },
        payload: { amount_yen: 1_000 },
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'end_user_address_invalid');
      await fixture.assertNothingWritten(before);
      assert.equal((await charge(fixture, body.link_token, { amount_yen: 1_000 }, 'k-bad-address')).statusCode, 201, 'the key is still free');
    });

    test("a charge's risk counts the end user's relayed address, not the operator's server", async () => {
      const holder = await openAccountHolder(fixture);
      await fixture.bank.services.core.deposit(holder.account_id, 10_000, '入金');
      const { body } = await legacyLink(fixture, holder.details, { ip: OPERATOR_SERVER, end_user_ip: '2001:db8:7::1', device_id: 'phone-risk' });
      const response = await fixture.bank.app.inject({
        method: 'POST', url: '/v1/charges', remoteAddress: OPERATOR_SERVER,
        headers: { authorization: `Bearer ${body.link_token}`, 'idempotency-key': 'k-risk-address', 'psu-ip-address': '2001:DB8:7:0::1', 'x-device-id': 'phone-risk' },
        payload: { amount_yen: 1_000 },
      });
      assert.equal(response.statusCode, 201);
      const [decision] = await fixture.db.query<{ source_ip: string; device_id: string }>(
        `SELECT source_ip, device_id FROM risk_decisions WHERE charge_id = $1`, [response.json().id]);
      assert.deepEqual(decision, { source_ip: '2001:db8:7::1', device_id: 'phone-risk' });
      const [origin] = await fixture.db.query<{ source_ip: string; device_id: string }>(
        `SELECT source_ip, device_id FROM link_origins WHERE link_id = $1`, [body.link.id]);
      assert.deepEqual(origin, { source_ip: '2001:db8:7::1', device_id: 'phone-risk' }, 'link risk saw the end user too');
    });

    test("an operator bound to its server's address still charges with its end user's address relayed: the binding checks the connection, risk counts the end user", async () => {
      const { operator, client_secret } = await fixture.bank.services.operators.register({
        display_name: 'Bound wallet', passbook_label: 'Bound wallet', link_methods_allowed: ['legacy_pin'], source_addresses: [OPERATOR_SERVER],
      });
      const holder = await openAccountHolder(fixture);
      await fixture.bank.services.core.deposit(holder.account_id, 10_000, '入金');
      const { body } = await legacyLink(fixture, holder.details, { ip: OPERATOR_SERVER, end_user_ip: '203.0.113.77', basic: basicAuth(operator.client_id, client_secret) });
      const response = await fixture.bank.app.inject({
        method: 'POST', url: '/v1/charges', remoteAddress: OPERATOR_SERVER,
        headers: { authorization: `Bearer ${body.link_token}`, 'idempotency-key': 'k-bound', 'psu-ip-address': '203.0.113.77' },
        payload: { amount_yen: 1_000 },
      });
      assert.equal(response.statusCode, 201, response.body);
      const [decision] = await fixture.db.query<{ source_ip: string }>(`SELECT source_ip FROM risk_decisions WHERE charge_id = $1`, [response.json().id]);
      assert.equal(decision?.source_ip, '203.0.113.77');
    });

    test(`an end user over ${SOURCE_IP_FAILURES_PER_WINDOW_MAX} failures is refused while another end user behind the same operator server links, and the same address at another operator is not refused`, async () => {
      const sprayer = '198.51.100.23';
      await recordWrongTries(fixture, SOURCE_IP_FAILURES_PER_WINDOW_MAX - 1, { operator_id: fixture.operator.id, end_user_ip: sprayer });
      // The last one through the route: it records the relayed address, not the server's, against the operator.
      assert.equal((await wrongTry(fixture, { end_user_ip: sprayer })).response.statusCode, 422);
      const holder = await openAccountHolder(fixture);
      const refused = await legacyLink(fixture, holder.details, { ip: OPERATOR_SERVER, end_user_ip: sprayer });
      assert.equal(refused.response.statusCode, 429);
      assert.equal(refused.response.json().code, 'too_many_attempts');
      const honest = await legacyLink(fixture, holder.details, { ip: OPERATOR_SERVER, end_user_ip: '192.0.2.44' });
      assert.equal(honest.response.statusCode, 201, "the operator's other users are not behind the sprayer's count");
      const other = await registerLegacyOperator(fixture, 'Other wallet');
      const elsewhere = await openAccountHolder(fixture);
      assert.equal((await legacyLink(fixture, elsewhere.details, { ip: '10.99.0.1', end_user_ip: sprayer, basic: other.basic })).response.statusCode, 201,
        "one operator's word about an address does not throttle another operator's user behind it");
    });

    test('an end user rotating IPv6 addresses within one /64 is counted as one source', async () => {
      for (let i = 0; i < SOURCE_IP_FAILURES_PER_WINDOW_MAX; i++) {
        await recordWrongTries(fixture, 1, { operator_id: fixture.operator.id, end_user_ip: `2001:db8:42:7::${(i + 1).toString(16)}` });
      }
      const holder = await openAccountHolder(fixture);
      assert.equal((await legacyLink(fixture, holder.details, { ip: OPERATOR_SERVER, end_user_ip: '2001:db8:42:7:ffff::1' })).response.statusCode, 429);
      assert.equal((await legacyLink(fixture, holder.details, { ip: OPERATOR_SERVER, end_user_ip: '2001:db8:42:8::1' })).response.statusCode, 201, 'the next /64 is another line');
    });

    test(`a spray through operator A past its share of ${OPERATOR_FAILURES_PER_WINDOW_MAX} failures stops its sprayers, while an honest user of A and a user of B still link`, async () => {
      const walletA = await registerLegacyOperator(fixture, 'Wallet A');
      const walletB = await registerLegacyOperator(fixture, 'Wallet B');
      const sprayers = Array.from({ length: OPERATOR_FAILURES_PER_WINDOW_MAX / 2 }, (_, i) => `198.18.${Math.floor(i / 200)}.${(i % 200) + 1}`);
      for (const sprayer of sprayers) await recordWrongTries(fixture, 2, { operator_id: walletA.id, end_user_ip: sprayer });
      // Over its share: each end user may fail a PIN's three tries and no more, and an attempt naming no end user is refused.
      const sprayer = sprayers[0]!;
      for (let failures = 2; failures < END_USER_FAILURES_OVER_SHARE_MAX; failures++) {
        assert.equal((await wrongTry(fixture, { end_user_ip: sprayer, basic: walletA.basic })).response.statusCode, 422);
      }
      assert.equal((await wrongTry(fixture, { end_user_ip: sprayer, basic: walletA.basic })).response.statusCode, 429, 'the sprayer is stopped');
      const honestA = await openAccountHolder(fixture);
      assert.equal((await legacyLink(fixture, honestA.details, { ip: OPERATOR_SERVER, basic: walletA.basic })).response.statusCode, 429,
        'an attempt naming no end user falls on the operator as a whole');
      assert.equal((await legacyLink(fixture, honestA.details, { ip: OPERATOR_SERVER, end_user_ip: '192.0.2.200', basic: walletA.basic })).response.statusCode, 201,
        'an honest user of A still links');
      const userB = await openAccountHolder(fixture);
      assert.equal((await legacyLink(fixture, userB.details, { ip: '10.99.0.2', basic: walletB.basic })).response.statusCode, 201, 'a user of B links');
      const alerts = await fixture.bank.services.throttle.listAlerts();
      assert.ok(alerts.some((alert) => alert.kind === 'operator_failure_rate' && alert.subject === walletA.id), 'staff see A over its share');
      assert.ok(!alerts.some((alert) => alert.subject === walletB.id));
    });

    test('a reverse brute force through operator A suspends its new links at once, audited and alerted, while operator B still links', async () => {
      const walletA = await registerLegacyOperator(fixture, 'Sprayed wallet');
      const walletB = await registerLegacyOperator(fixture, 'Quiet wallet');
      for (let n = 0; n < REVERSE_BRUTE_FORCE_ACCOUNTS_MIN; n++) {
        await legacyLink(fixture, { account_number: String(5_100_000 + n), pin: '7777' },
          { ip: OPERATOR_SERVER, end_user_ip: `198.51.100.${100 + n}`, device_id: `spray-${n}`, basic: walletA.basic });
      }
      assert.equal((await fixture.bank.services.operators.get(walletA.id))?.new_links_suspended, true);
      const honest = await openAccountHolder(fixture);
      const refused = await legacyLink(fixture, honest.details, { ip: OPERATOR_SERVER, end_user_ip: '192.0.2.201', basic: walletA.basic });
      assert.equal(refused.response.json().code, 'new_links_suspended', 'the next link through A, honest or not, waits for staff');
      assert.equal((await legacyLink(fixture, honest.details, { ip: '10.99.0.3', basic: walletB.basic })).response.statusCode, 201, 'B is not contained');
      assert.equal((await fixture.bank.services.operators.get(walletB.id))?.new_links_suspended, false);

      const audited = (await fixture.bank.services.audit.list()).filter((entry) => entry.action === 'operator.switch' && entry.subject === walletA.id);
      assert.equal(audited.length, 1, 'one audit entry, however many failures follow');
      assert.equal(audited[0]!.staff_id, null, 'the bank itself flipped it');
      assert.match(audited[0]!.reason ?? '', /reverse brute force/);
      const queued = (await fixture.bank.services.cases.listAlerts({})).filter((alert) => alert.kind === 'credential_operator_contained');
      assert.deepEqual(queued.map((alert) => alert.operator_id), [walletA.id], 'one alert, for A alone');
      assert.equal(queued.length, 1);
      assert.equal(queued[0]!.severity, 'high');
      const blocks = await fixture.bank.services.throttle.listBlocks();
      assert.ok(blocks.some((block) => block.dimension === 'end_user_ip' && block.value === `${walletA.id}|198.51.100.100`), 'the end users are blocked at A');
      assert.ok(!blocks.some((block) => block.value === OPERATOR_SERVER), "the operator's server is not");
    });
  });

  describe(`the 2020 bank (containment alert_only) on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend, { reverse_brute_force_containment: 'alert_only' });
    });
    after(() => fixture?.close());

    test('a reverse brute force is alerted and its PIN blocked, but the operator stays open and the spray goes on with other PINs', async () => {
      const walletA = await registerLegacyOperator(fixture, 'Sprayed wallet');
      for (let n = 0; n < REVERSE_BRUTE_FORCE_ACCOUNTS_MIN; n++) {
        await legacyLink(fixture, { account_number: String(5_200_000 + n), pin: '7777' }, { ip: OPERATOR_SERVER, end_user_ip: `198.51.100.${n + 1}`, basic: walletA.basic });
      }
      assert.ok((await fixture.bank.services.throttle.listAlerts()).some((alert) => alert.kind === 'reverse_brute_force'));
      assert.equal((await fixture.bank.services.operators.get(walletA.id))?.new_links_suspended, false);
      const victim = await openAccountHolder(fixture, '2580');
      const { response } = await legacyLink(fixture, victim.details, { ip: OPERATOR_SERVER, end_user_ip: '198.51.100.250', basic: walletA.basic });
      assert.equal(response.statusCode, 201, "the thief's next guess with another PIN links, as in 2020");
    });
  });
}
