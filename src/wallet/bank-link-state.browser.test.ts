/**
 * In Chromium: a wallet user whose link the account holder reported as "not me" sees it frozen, with the reason in
 * Japanese, on the home and link pages and when a top-up is refused, and never the bank's English detail.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { testBackends } from '../testing/test-databases.ts';
import { browserSkip, clickThrough, launchBrowser, screenshotPath, visit } from '../testing/browser.ts';
import { openTestWallet, type TestWallet } from './open-test-wallet.ts';

// What the wallet shows is the same on either backend: PGlite alone, to keep the browser suite short.
const backend = testBackends.find((candidate) => candidate.name === 'pglite')!;

describe('in Chromium, the wallet shows a frozen link as frozen', { skip: browserSkip || backend.skip }, () => {
  let fixture: BankFixture;
  let wallet: TestWallet;
  let wallet_url: string;
  let browser: Browser;
  let page: Page;

  before(async () => {
    fixture = await createBankFixture(backend, { risk: { mode: 'observe' } });
    const bank_url = await fixture.bank.app.listen({ port: 0, host: '127.0.0.1' });
    wallet = await openTestWallet(backend, { bank: { base_url: bank_url, client_id: fixture.operator.client_id, client_secret: fixture.operator.client_secret } });
    wallet_url = await wallet.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 430, height: 900 }, locale: 'ja-JP' });
  });
  after(async () => {
    await browser?.close();
    await wallet?.closeAll();
    await fixture?.close();
  });

  test('after the holder reports the link, home, link and top-up pages say it is frozen and why, in Japanese, with no raw bank detail', async () => {
    await visit(page, wallet_url);
    await clickThrough(page, '#sign-up-link', `${wallet_url}/signup`);
    await page.fill('#name', '山田 花子');
    await page.fill('#email', 'frozen.wallet@example.jp');
    await page.fill('#password', 'correct horse battery');
    await clickThrough(page, '#sign-up-submit', `${wallet_url}/?done=signed_up`);
    await visit(page, `${wallet_url}/link`);
    const { customer } = fixture;
    await page.fill('#branch_code', customer.branch_code);
    await page.fill('#account_number', customer.account_number);
    await page.fill('#pin', customer.pin);
    await page.fill('#name_kana', customer.name_kana);
    await page.fill('#birth_date', customer.birth_date);
    await clickThrough(page, '#link-submit', `${wallet_url}/?done=linked`);
    assert.equal(await page.getAttribute('#bank-link', 'data-link-status'), 'active');

    const [notice] = await fixture.db.query<{ id: string; created_at: Date }>(
      `SELECT id, created_at FROM notification_outbox WHERE customer_id = $1 AND template = 'link_created' ORDER BY created_at DESC LIMIT 1`, [customer.id]);
    assert.ok(notice);
    assert.equal((await fixture.bank.services.notMe.report(await fixture.bank.services.notMeTokens.sign(notice))).ok, true);

    await visit(page, wallet_url);
    assert.equal(await page.getAttribute('#bank-link', 'data-link-status'), 'frozen');
    assert.equal(await page.textContent('#link-state'), '停止中 / Frozen by the bank');
    assert.match(await page.textContent('#link-frozen') ?? '', /身に覚えがない.*停止しています/);
    await page.screenshot({ path: screenshotPath('wallet-link-frozen-home'), fullPage: true });

    await visit(page, `${wallet_url}/charge`);
    await page.fill('#amount_yen', '5000');
    await page.click('#charge-submit');
    await page.waitForSelector('#form-error');
    const error = await page.textContent('#form-error') ?? '';
    assert.match(error, /銀行がこの口座連携を停止しています/);
    assert.match(error, /Reference: link_frozen/);
    const text = await page.textContent('body') ?? '';
    assert.doesNotMatch(text, /is frozen: the customer reported|Link [0-9a-f-]{36}/, 'no raw bank detail anywhere on the page');
    await page.screenshot({ path: screenshotPath('wallet-link-frozen-top-up'), fullPage: true });
  });
});
