import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { testBackends } from '../testing/test-databases.ts';
import { charge, createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { browserSkip, clickThrough, launchBrowser, screenshotPath, visit } from '../testing/browser.ts';

// One backend is enough for what a person sees; the pages' storage behaviour is tested on both in customer-pages.test.ts.
const backend = testBackends[0]!;

describe(`in Chromium, a customer signs in, reads her passbook, and is told plainly when her login locks, on ${backend.name}`, { skip: browserSkip || backend.skip }, () => {
  let fixture: BankFixture;
  let browser: Browser;
  let page: Page;
  const violations: string[] = [];

  before(async () => {
    fixture = await createBankFixture(backend, { listen: true });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1000, height: 900 }, locale: 'ja-JP' });
    page.on('console', (message) => void (/Content Security Policy/i.test(message.text()) && violations.push(message.text())));
  });
  after(async () => {
    await browser?.close();
    await fixture?.close();
  });

  async function signIn(login_id: string, password: string, expected_status?: number) {
    await visit(page, `${fixture.url}/bank/login`);
    await page.fill('#login_id', login_id);
    await page.fill('#password', password);
    return clickThrough(page, 'form[action="/bank/login"] button[type="submit"]', undefined, expected_status);
  }

  test('the passbook names the operator on each line, says how each service was linked in plain words, leads to security, linked services and log-out, and gives the fraud desk’s number', async () => {
    const { body } = await legacyLink(fixture);
    assert.equal((await charge(fixture, body.link_token, { amount_yen: 5000 }, 'see-passbook-1')).statusCode, 201);
    await signIn('hanako', 'correct horse battery');
    assert.match(page.url(), /\/bank\/passbook/);
    const main = await page.textContent('body') ?? '';
    assert.match(main, /ドコモ口座/, 'the charge line names the operator');
    assert.match(main, /¥5,000/);
    assert.match(main, /001支店 普通 \*\*\*\*567/, 'the account as the customer knows it');
    assert.match(main, /口座番号と暗証番号で連携 \(二段階認証なし\)/, 'how the service was linked, in plain words');
    assert.doesNotMatch(main, /FAPI|2FA|ekyc_|login:/, 'no protocol words or internal keys');
    assert.match(main, /すぐにご連絡ください/);
    assert.equal(await page.getAttribute('a[href="tel:0120-000-000"]', 'href'), 'tel:0120-000-000', 'the fraud desk’s number is a phone link');
    assert.ok(await page.isVisible('header a[href="/bank/security"]'), 'security settings are one click away');
    assert.ok(await page.isVisible('header a[href="/bank/passbook#linked-services"]'), 'and so are linked services');
    await page.screenshot({ path: screenshotPath('see-passbook'), fullPage: true });

    await clickThrough(page, 'header a[href="/bank/security"]', /\/bank\/security/);
    await page.screenshot({ path: screenshotPath('see-security-settings'), fullPage: true });

    await clickThrough(page, 'form[action="/bank/logout"] button[type="submit"]');
    await visit(page, `${fixture.url}/bank/passbook`);
    assert.match(page.url(), /\/bank\/login/, 'after log-out the passbook asks for a login again');
  });

  test('after five wrong passwords the right one is answered with the lock, its reason and the number to call, never “wrong password”', async () => {
    await fixture.bank.services.core.openCustomer({
      name_kanji: '鈴木 美咲', name_kana: 'スズキ ミサキ', birth_date: '1995-07-21', phone: '070-3456-7890', email: 'm@example.jp',
      address: '岡山県', login_id: 'misaki', password: 'misaki right password',
    });
    for (let attempt = 1; attempt <= 4; attempt++) await signIn('misaki', `guess-${attempt}`, 401);
    await signIn('misaki', 'guess-5', 423);
    await signIn('misaki', 'misaki right password', 423);
    const text = await page.textContent('body') ?? '';
    assert.match(text, /パスワードを続けて5回間違えたため/);
    assert.match(text, /ロックしました/);
    assert.match(text, /0120-000-000/);
    assert.doesNotMatch(text, /パスワードが違います/);
    await page.screenshot({ path: screenshotPath('see-login-locked'), fullPage: true });
    const sms = fixture.sms.messages('070-3456-7890').at(-1)?.text ?? '';
    assert.match(sms, /インターネットバンキング/, 'the lock SMS names the service the customer knows');
    assert.doesNotMatch(sms, /login:/, 'and never the internal key');
    assert.deepEqual(violations, []);
  });
});
