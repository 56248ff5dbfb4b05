import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { customerSession } from '../testing/staff-session.ts';
import { listRoutes } from '../testing/route-list.ts';
import { chargeLink, linkedElderlyCustomer, STEP_UP_TEST_BANK } from '../stepup/waiting-charge-fixture.ts';
import { LANG_COOKIE } from './page-lang.ts';

/** Kana and kanji. */
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9faf]/;
/** The customer's pages: internet banking, charge approvals, notices' links and the sign-in and consent for linking. */
const CUSTOMER_PAGES = /^\/(?:bank|notices|interaction)\//;
/** The fewest such GET pages there are today; fewer means the walk lost some. */
const CUSTOMER_PAGES_MIN = 6;

/** A page's own words: markup, the switch (which names the other language in it) and the customer's data removed. */
function ownWords(body: string, data: readonly string[]): string {
  let text = body.replace(/<a [^>]*id="lang-switch"[^>]*>[^<]*<\/a>/, '').replace(/<title>[^<]*<\/title>/, '');
  text = text.replace(/<table id="passbook">[\s\S]*?<\/table>/g, '').replace(/<[^>]+>/g, ' ');
  for (const value of data) text = text.replaceAll(value, '');
  return text;
}

// The walk is about the pages' words, not storage: PGlite alone.
for (const backend of testBackends.filter((candidate) => candidate.name === 'pglite')) {
  describe(`every customer page speaks the language chosen, on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let paths: string[];
    let cookies: Record<string, string>;
    let data: string[];
    before(async () => {
      fixture = await createBankFixture(backend, { waiting_charge_jobs: false, ...STEP_UP_TEST_BANK });
      const customer = await linkedElderlyCustomer(fixture);
      const charge_id = (await chargeLink(fixture, customer, 100_000)).json().id as string;
      cookies = (await customerSession(fixture, customer.customer_id)).cookies;
      const values: Record<string, string> = { id: charge_id, uid: 'no-such-interaction' };
      paths = listRoutes(fixture.bank.app).filter((route) => route.methods.includes('GET') && CUSTOMER_PAGES.test(route.path)).map((route) =>
        route.path.replace(/:(\w+)/g, (_match, name: string) => {
          assert.ok(values[name], `a value for :${name} in ${route.path}: add one when a page gains a parameter`);
          return values[name];
        }));
      paths.push('/bank/no-such-page');
      const operators = await fixture.bank.services.operators.list();
      const person = await fixture.bank.services.core.getCustomer(customer.customer_id);
      data = [person!.name_kanji, person!.name_kana, ...operators.flatMap((operator) => [operator.display_name, operator.passbook_label])];
    });
    after(() => fixture?.close());

    test('in English (the cookie), every page is marked lang="en", offers 日本語, and none of its own words is Japanese', async () => {
      assert.ok(paths.length >= CUSTOMER_PAGES_MIN + 1, `walked ${paths.join(', ')}`);
      for (const path of paths) {
        const response = await fixture.bank.app.inject({ url: path, headers: { accept: 'text/html' }, cookies: { ...cookies, [LANG_COOKIE]: 'en' } });
        assert.match(String(response.headers['content-type']), /text\/html/, path);
        assert.match(response.body, /<html lang="en">/, path);
        assert.match(response.body, /<a href="[^"]*lang=ja[^"]*" id="lang-switch"[^>]*>日本語</, `${path}: the switch back`);
        const words = ownWords(response.body, data);
        assert.doesNotMatch(words, JAPANESE, `${path}: ${JAPANESE.exec(words) ? words.slice(Math.max(0, words.search(JAPANESE) - 60), words.search(JAPANESE) + 60) : ''}`);
      }
    });

    test('in Japanese (the default), every page is marked lang="ja", speaks Japanese and offers English', async () => {
      for (const path of paths) {
        const response = await fixture.bank.app.inject({ url: path, headers: { accept: 'text/html' }, cookies });
        assert.match(response.body, /<html lang="ja">/, path);
        assert.match(ownWords(response.body, data), JAPANESE, path);
        assert.match(response.body, /<a href="[^"]*lang=en[^"]*" id="lang-switch"[^>]*>English</, `${path}: the switch to English`);
      }
    });

    test('?lang=en answers in English and remembers it in a cookie for the next page; a language not offered changes nothing', async () => {
      const asked = await fixture.bank.app.inject({ url: '/bank/login?lang=en' });
      assert.match(asked.body, /<html lang="en">/);
      const set = [asked.headers['set-cookie']].flat().find((cookie) => cookie?.startsWith(`${LANG_COOKIE}=`));
      assert.match(set ?? '', new RegExp(`^${LANG_COOKIE}=en;.*Path=/`));
      const odd = await fixture.bank.app.inject({ url: '/bank/login?lang=fr' });
      assert.match(odd.body, /<html lang="ja">/);
      assert.equal([odd.headers['set-cookie']].flat().some((cookie) => cookie?.startsWith(`${LANG_COOKIE}=`)), false);
    });
  });
}
