import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unboundedInputs } from '../testing/route-walk.ts';
import { describeBankWalk } from '../testing/bank-route-walk.ts';
import { BANK_API_PATHS } from '../web/error-page.ts';

// The operator API, the authorization server and the probes. The pages are walked by src/web/bank-*-route-walk.test.ts.
describeBankWalk('API (operator API, authorization server, probes)', (route) => BANK_API_PATHS.test(route.url), 15, (fixture) => {
  test('every string any bank route takes has a greatest length and every number both bounds', () => {
    assert.deepEqual(unboundedInputs(fixture().bank.app.routeMethods.list()), []);
  });
});
