import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { walkRoutes, type WalkIdentity } from '../testing/route-walk.ts';
import { BANK_WALK_OPTIONS, bankWalkIdentities } from '../testing/bank-route-walk.ts';
import { BANK_API_PATHS } from './error-page.ts';

// The walk is about the HTTP layer; what PostgreSQL and PGlite each refuse is checked on both by storable-text.test.ts.
// One backend keeps its thousands of requests within a test file's time. The API is walked by
// src/http/bank-route-walk.test.ts.
for (const backend of testBackends.filter((candidate) => candidate.name === 'pglite')) {
  describe(`every page route the bank registers (customer, staff, approval), fed malformed input, on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let identities: WalkIdentity[];

    before(async () => {
      fixture = await createBankFixture(backend);
      identities = await bankWalkIdentities(fixture);
    });
    after(() => fixture?.close());

    test('no answer is a 500, and every error is problem+json or, to a browser, the bank’s error page', async (t) => {
      const result = await walkRoutes(fixture.bank.app, { ...BANK_WALK_OPTIONS, identities, routes: (route) => !BANK_API_PATHS.test(route.url) });
      t.diagnostic(`${result.requests} requests over ${result.routes} routes`);
      assert.ok(result.routes > 40, `walked ${result.routes} routes`);
      assert.deepEqual(result.failures.slice(0, 40), [], `${result.failures.length} of ${result.requests} requests answered badly`);
    });
  });
}
