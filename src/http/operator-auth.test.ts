import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { basicAuth, createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import {
  FAILURE_WINDOW_MS, OPERATOR_SECRET_FAILURES_ALERT_MIN, REVERSE_BRUTE_FORCE_ACCOUNTS_MIN, SOURCE_IP_FAILURES_PER_WINDOW_MAX,
} from '../throttle/credential-limits.ts';

for (const backend of testBackends) {
  describe(`operator secrets on /v1 go through the credential throttle on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend);
    });
    after(() => fixture?.close());

    /** GET /v1/charges (Basic auth: the operator's own charges) with these credentials from this address. */
    const call = (authorization: string, ip: string) => fixture.bank.app.inject({ method: 'GET', url: '/v1/charges', headers: { authorization }, remoteAddress: ip });
    const wrong = (ip: string, n: number) => call(basicAuth(fixture.operator.client_id, `sk_wrong_${n}`), ip);
    const queued = async () => (await fixture.bank.services.cases.listAlerts()).filter((alert) => alert.kind === 'credential_account_failures');

    test(`${OPERATOR_SECRET_FAILURES_ALERT_MIN} failures of one operator's secret within the hour raise one staff alert naming the operator, from however many addresses`, async () => {
      for (let n = 0; n < OPERATOR_SECRET_FAILURES_ALERT_MIN - 1; n++) assert.equal((await wrong(`10.1.0.${n}`, n)).statusCode, 401);
      assert.deepEqual(await queued(), [], `${OPERATOR_SECRET_FAILURES_ALERT_MIN - 1} are not yet an alert`);
      assert.equal((await wrong('10.1.1.1', 99)).statusCode, 401);
      const [alert, ...others] = await queued();
      assert.equal(others.length, 0);
      assert.equal(alert?.operator_id, fixture.operator.id);
      assert.equal(alert?.severity, 'high');
      assert.match(alert?.summary ?? '', new RegExp(`operator:${fixture.operator.client_id}`));
      assert.equal((await wrong('10.1.1.2', 100)).statusCode, 401);
      assert.equal((await queued()).length, 1, 'one alert per operator, kept up to date');
      const [credential] = (await fixture.bank.services.throttle.listAlerts()).filter((a) => a.kind === 'account_failures');
      assert.equal(credential?.failures_count, OPERATOR_SECRET_FAILURES_ALERT_MIN + 1);
      assert.deepEqual(credential?.operator_ids, [fixture.operator.id]);
      assert.ok(!JSON.stringify(credential).includes('sk_wrong'), 'never the secret tried');
    });

    test(`past ${SOURCE_IP_FAILURES_PER_WINDOW_MAX} failures from one address its failures get 429, unknown client ids included; the right secret still works and other addresses are untouched`, async () => {
      const ip = '10.2.0.1';
      for (let n = 0; n < SOURCE_IP_FAILURES_PER_WINDOW_MAX; n++) {
        // Half of them spray made-up client ids: they count against the address all the same.
        const response = n % 2 === 0 ? await wrong(ip, n) : await call(basicAuth(`op_madeup${n}`, `sk_x${n}`), ip);
        assert.equal(response.statusCode, 401, `failure ${n + 1}`);
      }
      const throttled = await wrong(ip, 1000);
      assert.equal(throttled.statusCode, 429);
      assert.equal(throttled.json().code, 'too_many_attempts');
      assert.equal((await call(basicAuth('op_madeup_again', 'sk_y'), ip)).statusCode, 429);
      assert.equal((await call(fixture.operator.basic, ip)).statusCode, 200, 'the right secret is never refused');
      assert.equal((await wrong('10.2.0.2', 1)).statusCode, 401, 'another address is not throttled');
      fixture.clock.advance(FAILURE_WINDOW_MS);
      assert.equal((await wrong(ip, 1001)).statusCode, 401, 'the window has passed');
    });

    test('one secret tried against many client ids is reverse brute force: the address and the secret are blocked and staff alerted', async () => {
      const ip = '10.4.0.1';
      for (let n = 0; n < REVERSE_BRUTE_FORCE_ACCOUNTS_MIN; n++) assert.equal((await call(basicAuth(`op_sprayed${n}`, 'sk_leaked_list_entry'), ip)).statusCode, 401);
      assert.equal((await call(basicAuth('op_sprayed_next', 'sk_another'), ip)).statusCode, 429, 'the address is blocked');
      const [alert] = (await fixture.bank.services.cases.listAlerts()).filter((a) => a.kind === 'credential_reverse_brute_force');
      assert.ok(alert, 'one alert for the spray');
      assert.ok((await fixture.bank.services.throttle.listBlocks()).some((block) => block.dimension === 'source_ip' && block.value === ip));
    });

    test('a client id no operator could have (a NUL, too long) is refused before the database or the throttle', async () => {
      const before = await fixture.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM credential_attempts`);
      for (const client_id of ['x'.repeat(65), 'op id']) {
        const response = await call(basicAuth(client_id, 'sk_x'), '10.3.0.1');
        assert.equal(response.statusCode, 401, JSON.stringify(client_id));
        assert.equal(response.json().code, 'operator_unauthenticated');
      }
      // Text PostgreSQL cannot store is refused as malformed input wherever it arrives, Basic credentials included.
      const nul = await call(basicAuth('op\u0000x', 'sk_x'), '10.3.0.1');
      assert.equal(nul.statusCode, 400);
      assert.equal(nul.json().code, 'validation_failed');
      assert.deepEqual(await fixture.db.query(`SELECT count(*)::int AS n FROM credential_attempts`), before);
    });
  });
}
