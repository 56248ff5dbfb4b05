import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair } from 'jose';
import * as client from 'openid-client';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { createFapiOperator } from '../testing/fapi-operator.ts';
import { OPERATOR_SECRET_FAILURES_ALERT_MIN, SOURCE_IP_FAILURES_PER_WINDOW_MAX } from '../throttle/credential-limits.ts';

for (const backend of testBackends) {
  describe(`failed client authentication at the authorization server goes through the credential throttle on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend, { listen: true });
    });
    after(() => fixture?.close());

    /** Pushes an authorization request signed with `key` as `client_id`; resolves with the HTTP status the bank answered. */
    async function pushWith(client_id: string, key: CryptoKey, redirect_uri: string): Promise<number> {
      const config = await client.discovery(new URL(`${fixture.url}/oidc`), client_id, { redirect_uris: [redirect_uri] }, client.PrivateKeyJwt(key), {
        execute: [client.allowInsecureRequests],
      });
      try {
        await client.buildAuthorizationUrlWithPAR(config, {
          redirect_uri, scope: 'openid offline_access charges', code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
        });
        return 201;
      } catch (error) {
        if (error instanceof client.ResponseBodyError) return error.status;
        throw error;
      }
    }

    test(`an assertion signed with the wrong key is refused, ${OPERATOR_SECRET_FAILURES_ALERT_MIN} of them alert staff, and past the address's limit they get 429 while the operator's own key still works`, async () => {
      const operator = await createFapiOperator({ bank_url: fixture.url, operators: fixture.bank.services.operators });
      const { privateKey: stolen } = await generateKeyPair('ES256');
      const { client_id } = operator.operator;
      for (let n = 0; n < OPERATOR_SECRET_FAILURES_ALERT_MIN; n++) assert.equal(await pushWith(client_id, stolen, operator.redirect_uri), 401, `failure ${n + 1}`);
      const alerts = (await fixture.bank.services.cases.listAlerts()).filter((alert) => alert.kind === 'credential_account_failures');
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]?.operator_id, operator.operator.id);
      assert.match(alerts[0]?.summary ?? '', new RegExp(`operator:${client_id}`));

      for (let n = OPERATOR_SECRET_FAILURES_ALERT_MIN; n < SOURCE_IP_FAILURES_PER_WINDOW_MAX; n++) await pushWith(client_id, stolen, operator.redirect_uri);
      assert.equal(await pushWith(client_id, stolen, operator.redirect_uri), 429, 'the address is over its limit');
      assert.equal(await pushWith(client_id, operator.privateKey, operator.redirect_uri), 201, 'the operator’s own key is never refused');
      const [row] = await fixture.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM credential_attempts WHERE credential = 'operator_secret' AND account_key = $1`, [`operator:${client_id}`]);
      assert.equal(row?.n, SOURCE_IP_FAILURES_PER_WINDOW_MAX, 'refused attempts are not recorded again');
    });
  });
}
