import { after, before, describe, test } from 'node:test';
import { NEW_FACTOR_COOLING_OFF_MS } from '../mfa/factor-policy.ts';
import assert from 'node:assert/strict';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { browserSkip, clickThrough, launchBrowser, screenshotPath, visit } from '../testing/browser.ts';
import { chargeLink, linkedElderlyCustomer, STEP_UP_TEST_RISK } from '../stepup/waiting-charge-fixture.ts';

/**
 * Chromium's virtual authenticator (Chrome DevTools Protocol, WebAuthn domain): a platform passkey store with user
 * verification, as a phone's or a laptop's is. Everything else is real: the browser's WebAuthn API, the bank's
 * script and pages, @simplewebauthn/server's verification.
 */
async function addVirtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, authenticatorId };
}

// One backend: this drives the browser through the pages; the storage under them is tested on both in src/mfa.
for (const backend of testBackends.filter((candidate) => candidate.name === 'pglite')) {
  describe(`in Chromium with a virtual authenticator, a customer registers a passkey and approves a charge with it, on ${backend.name}`, { skip: browserSkip || backend.skip }, () => {
    let fixture: BankFixture;
    let browser: Browser;
    before(async () => {
      // localhost, not 127.0.0.1: a passkey's RP id must be a domain name, and localhost is a secure context over http.
      fixture = await createBankFixture(backend, { listen: true, public_host: 'localhost', waiting_charge_jobs: false, risk: STEP_UP_TEST_RISK });
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await fixture?.close();
    });

    test('registration at /bank/security with an SMS code, then a challenged ¥100,000 charge approved with the passkey', async () => {
      const customer = await linkedElderlyCustomer(fixture);
      const page = await browser.newPage({ viewport: { width: 1000, height: 1300 }, locale: 'en-US' });
      const { cdp, authenticatorId } = await addVirtualAuthenticator(page);

      await visit(page, `${fixture.url}/bank/login?lang=en`);
      await page.fill('#login_id', customer.login_id);
      await page.fill('#password', customer.password);
      await clickThrough(page, 'button[type=submit]');
      await visit(page, `${fixture.url}/bank/security?add=passkey`);
      await clickThrough(page, '#send-sms');
      const code = fixture.sms.lastCode(customer.phone, 'enrol_passkey');
      assert.ok(code, 'the enrolment code went to the registered phone');
      await page.fill('#passkey_name', 'Virtual phone');
      await page.fill('#vouch_code', code);
      await clickThrough(page, '#create-passkey', /\/bank\/security\?passkey=added/);
      assert.equal((await page.textContent('td.passkey-name'))?.trim(), 'Virtual phone');
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      assert.equal(credentials.length, 1, 'the browser made one passkey');
      assert.equal(credentials[0]!.rpId, 'localhost');
      const [stored] = await fixture.bank.services.secondFactors.listPasskeys(customer.customer_id);
      assert.equal(stored?.name, 'Virtual phone');
      await page.screenshot({ path: screenshotPath('see-passkey-security'), fullPage: true });

      const charge = await chargeLink(fixture, customer, 100_000);
      assert.equal(charge.json().status, 'pending_approval', 'the 2020 pattern waits for the customer');
      const charge_id = charge.json().id as string;
      await visit(page, `${fixture.url}/bank/approvals/${charge_id}`);
      // A passkey registered minutes ago is in its cooling-off (src/mfa/factor-policy.ts): not offered for money yet.
      assert.equal(await page.locator('#method-passkey').count(), 0, 'a new passkey approves no charge during its cooling-off');
      // Dated back past the cooling-off, as a passkey registered the day before: the clock of a listening bank stays real.
      await fixture.db.query(`UPDATE passkeys SET created_at = created_at - $2::interval WHERE customer_id = $1`,
        [customer.customer_id, `${NEW_FACTOR_COOLING_OFF_MS + 60_000} milliseconds`]);
      await visit(page, `${fixture.url}/bank/approvals/${charge_id}`);
      // Established, the passkey shuts out SMS: it is the one method offered, so the page goes straight to it.
      assert.equal(await page.locator('#method-sms').count(), 0, 'SMS is not offered beside an established passkey');
      await page.screenshot({ path: screenshotPath('see-passkey-approval'), fullPage: true });
      await clickThrough(page, '#approve-button');
      assert.equal(await page.getAttribute('#approval', 'data-status'), 'succeeded', await page.textContent('#approval') ?? '');
      const [used] = await fixture.bank.services.secondFactors.listPasskeys(customer.customer_id);
      assert.ok(used?.last_used_at, 'the assertion was verified and recorded');
      const after_use = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0]!;
      assert.ok(after_use.signCount >= 1, `the authenticator signed (counter ${after_use.signCount})`);
      await page.close();
    });
  });
}
