/**
 * Issue 2's demo flow in real Chromium, against the demo as `furikae demo` starts it: open a wallet account on the
 * 2020-mode wallet, link 山田 花子's account with her account number and PIN under the red warning, charge ¥5,000,
 * pay a shop, then log in to the bank as hanako and find the passbook line with the operator's registered label.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { DEMO_CUSTOMERS } from '../demo/demo-seed.ts';
import { browserSkip, clickThrough, launchBrowser, screenshotPath, visit } from '../testing/browser.ts';
import type { TestBackend } from '../testing/test-databases.ts';
import { startE2eDemo, type E2eDemo } from './start-e2e-demo.ts';

const HANAKO = DEMO_CUSTOMERS[0];
/** The 2020-mode wallet's label on the passbook, as the demo registers it. */
const LEGACY_PASSBOOK_LABEL = 'フリカエウォレット';

/** Registers the suite for one backend; each backend has its own test file, so each file stays well inside the per-file time limit. */
export function describeDemoFlow2020(backend: TestBackend): void {
  describe(`the 2020 demo flow in Chromium on ${backend.name}`, { skip: browserSkip || backend.skip }, () => {
    let demo: E2eDemo;
    let browser: Browser;
    let page: Page;

    before(async () => {
      demo = await startE2eDemo(backend);
      browser = await launchBrowser();
      page = await (await browser.newContext({ locale: 'ja-JP', viewport: { width: 1000, height: 900 } })).newPage();
    });
    after(async () => {
      await browser?.close();
      await demo?.stop();
    });

    test('a visitor opens a wallet account with a name, an e-mail and a password', async () => {
      await visit(page, demo.wallet_url);
      await clickThrough(page, '#sign-up-link', `${demo.wallet_url}/signup`);
      await page.fill('#name', '山田 花子');
      await page.fill('#email', 'hanako.wallet@example.jp');
      await page.fill('#password', 'correct horse battery');
      await clickThrough(page, '#sign-up-submit', `${demo.wallet_url}/?done=signed_up`);
      assert.equal(await page.textContent('#balance'), '¥0');
    });

    test('the 2020 link form sits under a red warning and links Hanako’s account with her PIN alone', async () => {
      await visit(page, `${demo.wallet_url}/link`);
      const warning = page.locator('#legacy-link-warning');
      assert.equal(await warning.isVisible(), true);
      assert.equal(await warning.evaluate((element) => getComputedStyle(element).backgroundColor), 'rgb(198, 40, 40)');
      await page.screenshot({ path: screenshotPath(`e2e-2020-link-warning-${backend.name}`), fullPage: true });
      await page.fill('#branch_code', HANAKO.branch_code);
      await page.fill('#account_number', HANAKO.account_number);
      await page.fill('#pin', HANAKO.pin);
      await page.fill('#name_kana', HANAKO.name_kana);
      await page.fill('#birth_date', HANAKO.birth_date);
      await clickThrough(page, '#link-submit', `${demo.wallet_url}/?done=linked`);
      assert.equal(await page.getAttribute('#bank-link', 'data-link-status'), 'active');
    });

    test('a ¥5,000 top-up from the bank lands in the wallet', async () => {
      await visit(page, `${demo.wallet_url}/charge`);
      await page.fill('#amount_yen', '5000');
      await clickThrough(page, '#charge-submit', /\/top-ups\//);
      assert.equal(await page.getAttribute('#receipt', 'data-status'), 'succeeded');
      await visit(page, demo.wallet_url);
      assert.equal(await page.getAttribute('#balance', 'data-balance-yen'), '5000');
    });

    test('paying a shop ¥1,200 leaves ¥3,800', async () => {
      await visit(page, `${demo.wallet_url}/pay`);
      await page.selectOption('#merchant_id', { index: 1 });
      await page.fill('#amount_yen', '1200');
      await clickThrough(page, '#pay-submit', /\/payments\//);
      await visit(page, demo.wallet_url);
      assert.equal(await page.getAttribute('#balance', 'data-balance-yen'), '3800');
      await page.screenshot({ path: screenshotPath(`e2e-2020-wallet-home-${backend.name}`), fullPage: true });
    });

    test('at the bank, hanako’s passbook shows the ¥5,000 withdrawal labelled with the operator’s registered label', async () => {
      const bank = await browser.newPage({ locale: 'ja-JP', viewport: { width: 1000, height: 900 } });
      await visit(bank, `${demo.bank_url}/bank/login`);
      await bank.fill('#login_id', HANAKO.login_id);
      await bank.fill('#password', HANAKO.password);
      await clickThrough(bank, 'button[type=submit]', `${demo.bank_url}/bank/passbook`);
      const line = bank.locator('#passbook tbody tr', { hasText: LEGACY_PASSBOOK_LABEL });
      assert.equal(await line.count(), 1);
      const cells = await line.locator('td').allTextContents();
      assert.equal(cells[1], LEGACY_PASSBOOK_LABEL);
      assert.equal(cells[2], '¥5,000');
      assert.match(await bank.locator('#links').innerText(), /口座番号と暗証番号で連携 \(二段階認証なし\)/);
      await bank.screenshot({ path: screenshotPath(`e2e-2020-passbook-${backend.name}`), fullPage: true });
      await bank.close();
    });
  });
}
