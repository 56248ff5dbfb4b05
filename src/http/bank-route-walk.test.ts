import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { unboundedInputs, walkRoutes, type WalkIdentity } from '../testing/route-walk.ts';
import { BANK_WALK_OPTIONS, bankWalkIdentities } from '../testing/bank-route-walk.ts';
import { BANK_API_PATHS } from '../web/error-page.ts';

// The walk is about the HTTP layer; what PostgreSQL and PGlite each refuse is checked on both by storable-text.test.ts.
// One backend keeps its thousands of requests within a test file's time. The pages are walked by
// src/web/bank-pages-route-walk.test.ts.
for (const backend of testBackends.filter((candidate) => candidate.name === 'pglite')) {
  describe(`every API route the bank registers (operator API, authorization server, probes), fed malformed input, on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let identities: WalkIdentity[];

    before(async () => {
      fixture = await createBankFixture(backend);
      identities = await bankWalkIdentities(fixture);
    });
    after(() => fixture?.close());

    test('every string any bank route takes has a greatest length and every number both bounds', () => {
      assert.deepEqual(unboundedInputs(fixture.bank.app.routeMethods.list()), []);
    });

    test('no answer is a 500, and every error is problem+json (OAuth JSON or its error page under /oidc)', async (t) => {
      const result = await walkRoutes(fixture.bank.app, { ...BANK_WALK_OPTIONS, identities, routes: (route) => BANK_API_PATHS.test(route.url) });
      t.diagnostic(`${result.requests} requests over ${result.routes} routes`);
      assert.ok(result.routes > 15, `walked ${result.routes} routes`);
      assert.deepEqual(result.failures.slice(0, 40), [], `${result.failures.length} of ${result.requests} requests answered badly`);
    });
  });
}
