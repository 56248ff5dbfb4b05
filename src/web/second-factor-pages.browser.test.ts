import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { browserSkip, clickThrough, launchBrowser, screenshotPath, visit } from '../testing/browser.ts';
import { chargeLink, enrolAuthenticator, linkedElderlyCustomer, type WaitingChargeCustomer, STEP_UP_TEST_BANK } from '../stepup/waiting-charge-fixture.ts';
import { stepUpPurpose } from '../stepup/step-up-purpose.ts';

/** Japanese characters (kana and kanji): none may remain in an English page's own words. */
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9faf]/;

// One backend: this walks what a customer sees; the storage under it is tested on both elsewhere.
for (const backend of testBackends.filter((candidate) => candidate.name === 'pglite')) {
  describe(`in Chromium, a customer approves a charge with each second factor, in Japanese and in English, on ${backend.name}`, { skip: browserSkip || backend.skip }, () => {
    let fixture: BankFixture;
    let browser: Browser;
    before(async () => {
      fixture = await createBankFixture(backend, { listen: true, waiting_charge_jobs: false, ...STEP_UP_TEST_BANK });
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await fixture?.close();
    });

    async function atApproval(page: Page, customer: WaitingChargeCustomer): Promise<{ charge_id: string; url: string }> {
      const charge_id = (await chargeLink(fixture, customer, 100_000)).json().id as string;
      const url = `${fixture.url}/bank/approvals/${charge_id}`;
      await visit(page, url);
      await page.fill('#login_id', customer.login_id);
      await page.fill('#password', customer.password);
      await clickThrough(page, 'button[type=submit]', url);
      return { charge_id, url };
    }

    test('SMS, for a customer with no stronger factor: send the code to the masked number, see where it went and the resend counting down, type the code', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const page = await browser.newPage({ viewport: { width: 1000, height: 1100 }, locale: 'ja-JP' });
      const { charge_id } = await atApproval(page, customer);
      assert.equal(await page.locator('input[name=code]').count(), 0, 'no code field before the code is sent');
      assert.equal(await page.locator('#factor-methods').count(), 0, 'one method, so nothing to choose');
      assert.match(await page.textContent('#send-sms') ?? '', /\*+\d{4}/);
      await page.screenshot({ path: screenshotPath('see-2fa-sms-send'), fullPage: true });
      await clickThrough(page, '#send-sms');
      assert.match(await page.textContent('#sms-sent') ?? '', /\*+\d{4}/);
      assert.ok(await page.locator('#resend-sms-waiting').isDisabled(), 'the resend control is disabled');
      assert.equal(await page.locator('#resend-sms').isVisible(), false, 'the real resend button waits for the countdown');
      const first = Number(await page.locator('.countdown').evaluate((node) => getComputedStyle(node, '::after').getPropertyValue('--resend-s')));
      assert.ok(first > 50 && first <= 60, `the countdown starts near a minute (${first})`);
      await page.screenshot({ path: screenshotPath('see-2fa-sms-code'), fullPage: true });
      await page.waitForTimeout(2_000);
      const later = Number(await page.locator('.countdown').evaluate((node) => getComputedStyle(node, '::after').getPropertyValue('--resend-s')));
      assert.ok(later < first, `the countdown moves (${first} then ${later})`);
      const code = fixture.sms.lastCode(customer.phone, stepUpPurpose({ charge_id, amount_yen: 100_000, payee_operator_id: fixture.operator.id }))!;
      await page.fill('#code', code);
      await clickThrough(page, '#approve-button');
      assert.equal(await page.getAttribute('#approval', 'data-status'), 'succeeded');
      await page.screenshot({ path: screenshotPath('see-2fa-sms-approved'), fullPage: true });
      await page.close();
    });

    test('authenticator app: with it established the page asks straight for the code the app shows, and offers no SMS', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const nextCode = await enrolAuthenticator(fixture, customer);
      const page = await browser.newPage({ viewport: { width: 1000, height: 1000 }, locale: 'ja-JP' });
      await atApproval(page, customer);
      assert.equal(await page.locator('#method-sms').count(), 0, 'a text message does not approve money beside an established authenticator');
      assert.match(await page.textContent('label[for=code]') ?? '', /認証アプリ/);
      assert.equal(await page.locator('#send-sms').count(), 0, 'nothing to send');
      await page.screenshot({ path: screenshotPath('see-2fa-totp-code'), fullPage: true });
      await page.fill('#code', await nextCode());
      await clickThrough(page, '#approve-button');
      assert.equal(await page.getAttribute('#approval', 'data-status'), 'succeeded');
      await page.close();
    });

    test('the language switch holds across pages: in English no Japanese words of the bank remain, and <html lang> follows', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const page = await browser.newPage({ viewport: { width: 1000, height: 1000 }, locale: 'ja-JP' });
      await visit(page, `${fixture.url}/bank/login`);
      assert.equal(await page.getAttribute('html', 'lang'), 'ja');
      await page.screenshot({ path: screenshotPath('see-lang-login-ja'), fullPage: true });
      await clickThrough(page, '#lang-switch', /lang=en/);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await page.fill('#login_id', customer.login_id);
      await page.fill('#password', customer.password);
      await clickThrough(page, 'main button[type=submit]', `${fixture.url}/bank/passbook`);
      assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the cookie carries the choice to the next page');
      await page.screenshot({ path: screenshotPath('see-lang-passbook-en'), fullPage: true });
      await clickThrough(page, 'header >> text=Security', `${fixture.url}/bank/security`);
      const words = await page.locator('body').evaluate((body) => {
        const clone = body.cloneNode(true) as HTMLElement;
        for (const other of clone.querySelectorAll('[lang="ja"]')) other.remove();
        return clone.innerText;
      });
      assert.doesNotMatch(words, JAPANESE, words);
      await page.screenshot({ path: screenshotPath('see-lang-security-en'), fullPage: true });
      await page.close();
    });
  });
}
