import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { customerSession, FORM_HEADERS, formBody, staffSession } from '../testing/staff-session.ts';
import { listRoutes } from '../testing/route-list.ts';
import { INTERACTION_TEXT } from '../authorization/interaction-text.ts';

/** How each family of bank pages refuses a form without its token: the family's own page and code. */
const REFUSALS: { prefix: string; status: number; body: RegExp }[] = [
  { prefix: '/staff/', status: 403, body: /data-code="staff_csrf_token_invalid"/ },
  { prefix: '/bank/', status: 403, body: /フォームの有効期限が切れました。何も変更していません/ },
  { prefix: '/interaction/', status: 403, body: new RegExp(INTERACTION_TEXT.ja.csrf_failed) },
  { prefix: '/notices/', status: 403, body: /data-result="form-expired"/ },
];

for (const backend of testBackends) {
  describe(`every form the bank's pages take needs its form token, on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend);
    });
    after(() => fixture?.close());

    test('a post to any page route without a token, with a forged one, or with another session’s, is refused by its family’s page and changes nothing', async () => {
      const admin = await staffSession(fixture, 'admin');
      const customer = await customerSession(fixture, fixture.customer.id);
      const other = await staffSession(fixture, 'admin');
      // The browser holds both sessions and one form-token secret; only the token is missing or wrong.
      const cookies = { ...customer.cookies, ...admin.cookies };
      const forms = listRoutes(fixture.bank.app).filter((route) => route.methods.includes('POST') && !/^\/(v1|oidc)(\/|\*|$)/.test(route.path));
      assert.ok(forms.length >= 29, `the walk found the forms (${forms.length})`);
      const auditBefore = (await fixture.bank.services.audit.list()).length;
      const snapshot = await fixture.snapshot();
      for (const route of forms) {
        const refusal = REFUSALS.find((family) => route.path.startsWith(family.prefix));
        assert.ok(refusal, `${route.path} belongs to a family with a refusal page`);
        const url = route.path.replace(/:id\b/g, fixture.operator.id).replace(/:uid\b/g, 'an-interaction');
        for (const [what, csrf] of [['no token', undefined], ['a forged token', 'forged'], ['another session’s token', other.csrf]] as const) {
          const response = await fixture.bank.app.inject({
            method: 'POST', url, cookies: what === 'another session’s token' ? { ...customer.cookies, ...admin.cookies, furikae_csrf: other.cookies.furikae_csrf } : cookies,
            headers: FORM_HEADERS, payload: formBody({ ...(csrf === undefined ? {} : { csrf }), login_id: 'staff-admin', password: 'x', reason: 'r' }),
          });
          assert.equal(response.statusCode, refusal.status, `${route.path} with ${what}`);
          assert.match(response.body, refusal.body, `${route.path} with ${what}`);
        }
      }
      assert.equal((await fixture.bank.services.audit.list()).length, auditBefore, 'no staff action, login or failure was recorded');
      assert.deepEqual(await fixture.snapshot(), snapshot);
    });
  });
}
