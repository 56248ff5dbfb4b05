/**
 * Issue 3's whole hardened flow in real Chromium, against the demo as `furikae demo` starts it: sign up at the
 * hardened wallet with a phone (the code read from the wallet's SMS simulator) and eKYC (a PNG made here), press
 * "Link bank account", log in at the bank with hanako's password and an authenticator code, approve the consent
 * with another code (screenshots in Japanese and English), come back to the wallet, charge ¥5,000, and find the
 * passbook line with the hardened operator's label.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { DEMO_CUSTOMERS, DEMO_SECURE_WALLET } from '../demo/demo-seed.ts';
import { browserSkip, clickThrough, launchBrowser, screenshotPath, visit } from '../testing/browser.ts';
import type { TestBackend } from '../testing/test-databases.ts';
import { enrolAuthenticatorApp, TOTP_STEP_MS } from '../testing/totp-enrolment.ts';
import { PHONE_CODE_PURPOSE } from '../wallet/phone-verification.ts';
import { tinyPng } from '../wallet/tiny-png.ts';
import { startE2eDemo, type E2eDemo } from './start-e2e-demo.ts';

const HANAKO = DEMO_CUSTOMERS[0];

/** Registers the suite for one backend; each backend has its own test file, so each file stays well inside the per-file time limit. */
export function describeHardenedFlow(backend: TestBackend): void {
  describe(`the hardened flow in Chromium on ${backend.name}`, { skip: browserSkip || backend.skip }, () => {
    let demo: E2eDemo;
    let browser: Browser;
    let page: Page;
    /** The authenticator app's next code at the bank's clock (the clock moves one step first). */
    let nextTotp: () => Promise<string>;

    before(async () => {
      demo = await startE2eDemo(backend);
      // Hanako registers an authenticator app at her bank first (the bank's security page does the same).
      const customer = await demo.bank.services.core.findCustomerByLogin(HANAKO.login_id);
      assert.ok(customer);
      // Every code in this flow is the next step's, the one confirming the enrolment too.
      demo.clock.advance(TOTP_STEP_MS);
      const authenticator = await enrolAuthenticatorApp({ secondFactors: demo.bank.services.secondFactors, clock: demo.clock, db: demo.bank.services.db }, customer.id);
      nextTotp = authenticator.nextCode;
      browser = await launchBrowser();
      page = await (await browser.newContext({ locale: 'ja-JP', viewport: { width: 1000, height: 900 } })).newPage();
    });
    after(async () => {
      await browser?.close();
      await demo?.stop();
    });

    test('sign-up with a mobile number is confirmed with the code from the wallet’s SMS simulator', async () => {
      await visit(page, `${demo.wallet_secure_url}/signup`);
      await page.fill('#name', HANAKO.name_kanji);
      await page.fill('#email', 'hanako.secure@example.jp');
      await page.fill('#phone', HANAKO.phone);
      await page.fill('#password', 'correct horse battery');
      await clickThrough(page, '#sign-up-submit', `${demo.wallet_secure_url}/verify-phone`);
      const code = demo.wallet_secure_sms.lastCode('+819012345678', PHONE_CODE_PURPOSE);
      assert.match(code ?? '', /^[0-9]{6}$/);
      await page.fill('#code', code!);
      await clickThrough(page, '#verify-phone-submit', `${demo.wallet_secure_url}/ekyc?done=phone_verified`);
    });

    test('eKYC with a document photo and a face match passes', async () => {
      await page.setInputFiles('#document', { name: 'licence.png', mimeType: 'image/png', buffer: tinyPng() });
      await page.fill('#name_kana', HANAKO.name_kana);
      await page.fill('#birth_date', HANAKO.birth_date);
      await page.check('#face-match-yes');
      await page.screenshot({ path: screenshotPath(`e2e-hardened-ekyc-${backend.name}`), fullPage: true });
      await clickThrough(page, '#ekyc-submit', `${demo.wallet_secure_url}/link?done=ekyc_verified`);
      assert.equal(await page.textContent('#verified-name'), HANAKO.name_kana);
      assert.equal(await page.locator('input[name=pin], input[name=account_number]').count(), 0, 'no legacy form at all');
      await page.screenshot({ path: screenshotPath(`e2e-hardened-link-${backend.name}`), fullPage: true });
    });

    test('"Link bank account" leads to the bank, where hanako logs in with her password and an authenticator code', async () => {
      await clickThrough(page, '#link-start', new RegExp(`^${demo.bank_url}/interaction/`));
      await page.fill('#login_id', HANAKO.login_id);
      await page.fill('#password', HANAKO.password);
      await clickThrough(page, '#login-button');
      // Her authenticator is established, so a text message is no second factor here (src/mfa/factor-policy.ts):
      // the bank asks for the app's code straight away and offers no SMS to choose.
      await page.waitForSelector('#code');
      assert.equal(await page.locator('#method-sms').count(), 0, 'SMS is not offered beside an established authenticator');
      await page.screenshot({ path: screenshotPath(`see-2fa-link-login-totp-${backend.name}`), fullPage: true });
      await page.fill('#code', await nextTotp());
      await clickThrough(page, '#verify-button');
      await page.waitForSelector('#consent-operator');
    });

    test('the consent page names the operator, the masked account and the limits, in Japanese and in English', async () => {
      assert.equal(await page.textContent('#consent-operator'), DEMO_SECURE_WALLET.display_name);
      assert.match(await page.locator('#consent').innerText(), /\*\*\*\*567/);
      assert.match(await page.textContent('#consent-limits') ?? '', /¥100,000/);
      assert.equal(await page.locator('#method-sms').count(), 0, 'the consent is approved with the authenticator, not by SMS');
      assert.equal((await page.textContent('#approve-button'))?.trim(), '承認する');
      await page.screenshot({ path: screenshotPath(`e2e-hardened-consent-ja-${backend.name}`), fullPage: true });
      await clickThrough(page, '#lang-switch', /lang=en/);
      assert.match(await page.locator('#consent').innerText(), /¥300,000/);
      assert.equal((await page.textContent('#approve-button'))?.trim(), 'Approve');
      await page.screenshot({ path: screenshotPath(`e2e-hardened-consent-en-${backend.name}`), fullPage: true });
    });

    test('approving with another authenticator code brings hanako back to the wallet, linked', async () => {
      await page.fill('#code', await nextTotp());
      await clickThrough(page, '#approve-button', `${demo.wallet_secure_url}/?done=linked`);
      assert.equal(await page.getAttribute('#bank-link', 'data-link-status'), 'active');
      assert.match(await page.textContent('#bank-link') ?? '', /\*\*\*\*567/);
    });

    test('a ¥5,000 top-up goes through as a DPoP-bound charge', async () => {
      await visit(page, `${demo.wallet_secure_url}/charge`);
      await page.fill('#amount_yen', '5000');
      await clickThrough(page, '#charge-submit', /\/top-ups\//);
      assert.equal(await page.getAttribute('#receipt', 'data-status'), 'succeeded');
      await visit(page, demo.wallet_secure_url);
      assert.equal(await page.getAttribute('#balance', 'data-balance-yen'), '5000');
      await page.screenshot({ path: screenshotPath(`e2e-hardened-wallet-home-${backend.name}`), fullPage: true });
    });

    test('hanako’s passbook shows the ¥5,000 line with the hardened operator’s label, and the link in plain words as linked with two-step verification', async () => {
      const bank = await browser.newPage({ locale: 'ja-JP', viewport: { width: 1000, height: 900 } });
      await visit(bank, `${demo.bank_url}/bank/login`);
      await bank.fill('#login_id', HANAKO.login_id);
      await bank.fill('#password', HANAKO.password);
      await clickThrough(bank, 'button[type=submit]', `${demo.bank_url}/bank/passbook`);
      const cells = await bank.locator('#passbook tbody tr', { hasText: DEMO_SECURE_WALLET.passbook_label }).locator('td').allTextContents();
      assert.deepEqual([cells[1], cells[2]], [DEMO_SECURE_WALLET.passbook_label, '¥5,000']);
      const links = await bank.locator('#links').innerText();
      assert.match(links, /二段階認証で連携/);
      assert.doesNotMatch(links, /FAPI|2FA/);
      await bank.screenshot({ path: screenshotPath(`e2e-hardened-passbook-${backend.name}`), fullPage: true });
      await bank.close();
    });
  });
}
