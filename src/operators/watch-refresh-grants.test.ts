import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { createFapiOperator, type FapiOperator } from '../testing/fapi-operator.ts';
import { enrolTotp, walkConsent } from '../testing/consent-walk.ts';

const HANAKO = { name_kana: 'ﾔﾏﾀﾞ ﾊﾅｺ', birth_date: '1948-03-15', phone: '+81 90 1111 2222' };

for (const backend of testBackends) {
  describe(`refresh-token grants bound to an operator's source addresses on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let operator: FapiOperator;
    let admin_id: string;
    before(async () => {
      fixture = await createBankFixture(backend, { listen: true });
      operator = await createFapiOperator({ bank_url: fixture.url, operators: fixture.bank.services.operators, now: () => fixture.clock.now() });
      admin_id = (await fixture.bank.services.staff.create({ login_id: 'kanri', display_name: '管理', password: 'admin-password-2026', role: 'admin' })).id;
    });
    after(() => fixture?.close());

    const bind = (addresses: string[]) => fixture.bank.services.operators.setSourceAddresses(operator.operator.id, addresses, { staff_id: admin_id, reason: 'registration form' });
    const refreshes = async () => (await fixture.db.query<{ n: number }>(
      `SELECT coalesce(sum(events_count), 0)::int AS n FROM operator_activity WHERE operator_id = $1 AND kind = 'refresh'`, [operator.operator.id]))[0]!.n;

    test('a refresh grant from an address the operator did not register is refused, spends nothing and alerts staff; from a registered one it goes through and is counted', async () => {
      const totp = await enrolTotp(fixture);
      const { url, code_verifier } = await operator.startLink(await operator.attest(HANAKO));
      const walked = await walkConsent(fixture, url, { totp_secret: totp });
      assert.ok(walked.callback, walked.page.slice(0, 300));
      const tokens = await operator.exchange(walked.callback, code_verifier);
      const refresh_token = tokens.refresh_token!;

      // The tests' requests come from 127.0.0.1: first the operator registers another network only.
      assert.equal((await bind(['198.51.100.0/24']))?.ok, true);
      const before = await fixture.snapshot();
      await assert.rejects(client.refreshTokenGrant(operator.config, refresh_token, undefined, { DPoP: operator.dpop }),
        (error: { error?: string; error_description?: string }) => error.error === 'unauthorized_client' && /^operator_source_not_registered/.test(error.error_description ?? ''));
      await fixture.assertNothingWritten(before, { except: ['risk_alert'] });
      const alerts = (await fixture.bank.services.cases.listAlerts()).filter((alert) => alert.kind === 'operator_source_refused');
      assert.deepEqual(alerts.map((alert) => [alert.operator_id, alert.details.path, alert.details.source_ip]), [[operator.operator.id, 'refresh_token', '127.0.0.1']]);

      // Registered: the same refresh token works (the refusal did not spend it), and the grant counts in the baseline.
      assert.equal((await bind(['127.0.0.1']))?.ok, true);
      const refreshed = await client.refreshTokenGrant(operator.config, refresh_token, undefined, { DPoP: operator.dpop });
      assert.ok(refreshed.access_token);
      assert.equal(await refreshes(), 1);
      const charged = await operator.charge(refreshed.access_token, { amount_yen: 1_000 });
      assert.equal(charged.status, 201, await charged.clone().text());
    });
  });
}
