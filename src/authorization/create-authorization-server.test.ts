import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type Provider from 'oidc-provider';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { createLogger } from '../shared/logger.ts';
import { AUTHORIZATION_CODE_TTL_SECONDS, createAuthorizationServer, PUSHED_REQUEST_TTL_SECONDS } from './create-authorization-server.ts';

describe('how long codes live', () => {
  let fixture: BankFixture;
  const server = (request_ttl_seconds?: number): Promise<Provider> => createAuthorizationServer({
    db: fixture.db, operators: fixture.bank.services.operators, log: createLogger({ level: 'silent' }),
    issuer: `${fixture.url}/oidc`, resource: fixture.url, ...(request_ttl_seconds === undefined ? {} : { request_ttl_seconds }),
  });
  before(async () => {
    fixture = await createBankFixture(testBackends[0]!);
  });
  after(() => fixture?.close());

  /** A token model's life in seconds from the provider's configuration (oidc-provider's own computation; not in its types). */
  const lifeOf = (model: unknown): number => (model as { expiresIn(): number }).expiresIn();

  test('a code lives 60 seconds in service, as FAPI 2.0 asks of single-use codes', async () => {
    const provider = await server();
    assert.equal(lifeOf(provider.AuthorizationCode), AUTHORIZATION_CODE_TTL_SECONDS);
    assert.equal(AUTHORIZATION_CODE_TTL_SECONDS, 60);
    assert.equal(PUSHED_REQUEST_TTL_SECONDS, 60);
  });

  test('the lab’s longer life applies to codes and to nothing else that the bank issues', async () => {
    const provider = await server(3600);
    const plain = await server();
    assert.equal(lifeOf(provider.AuthorizationCode), 3600);
    for (const model of ['AccessToken', 'RefreshToken'] as const) {
      assert.equal(lifeOf(provider[model]), lifeOf(plain[model]), model);
    }
  });
});
