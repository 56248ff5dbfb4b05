import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { testBackends } from '../testing/test-databases.ts';
import { charge, createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { browserSkip, clickThrough, launchBrowser, screenshotPath, visit } from '../testing/browser.ts';
import { totpCodeAt } from '../testing/totp-enrolment.ts';
import { staffSession } from '../testing/staff-session.ts';
import { ATTACKER_SOURCE, disputedLink } from '../testing/disputed-link.ts';
import { CHART_REFRESH_MS } from './staff-dashboard-charts.ts';

/** Every Content-Security-Policy complaint Chromium printed: the charts and their redraw run nothing inline. */
const violations: string[] = [];

/** Signs a fixture staff member in with password and the code of an authenticator enrolled here, as `furikae staff enrol` would. */
async function signIn(browser: Browser, fixture: BankFixture, login_id: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'ja-JP' });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
  });
  await visit(page, `${fixture.url}/staff/login`);
  await page.fill('#login_id', login_id);
  await page.fill('#password', `${login_id}-password`);
  const member = await fixture.bank.services.staff.findByLogin(login_id);
  const { secret } = (await fixture.bank.services.staff.enrolTotp(member!.id))!;
  await page.fill('#totp_code', await totpCodeAt(secret, fixture.clock));
  await clickThrough(page, 'button[type=submit]', `${fixture.url}/staff`);
  return page;
}

// One backend: this walk is about what a person sees; the queries behind each section have their inject tests on both.
for (const backend of testBackends.filter((candidate) => candidate.name === 'postgres')) {
  describe(`in Chromium, an analyst decides a dispute and watches the dashboard on ${backend.name}`, { skip: browserSkip || backend.skip }, () => {
    let fixture: BankFixture;
    let browser: Browser;

    before(async () => {
      fixture = await createBankFixture(backend, { listen: true, waiting_charge_jobs: false });
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await fixture?.close();
    });

    test('the case shows the link, its held and declined charges, the other link and the timeline; the dashboard draws and redraws its charts', async () => {
      const disputed = await disputedLink(fixture);
      const { link_token } = (await legacyLink(fixture)).body;
      for (const amount_yen of [1200, 800, 4500, 2300]) assert.equal((await charge(fixture, link_token, { amount_yen }, `walk-${amount_yen}`)).statusCode, 201);
      await staffSession(fixture, 'analyst');
      const analyst = await signIn(browser, fixture, 'staff-analyst');

      // From the dashboard's alert queue to the case the customer's report opened.
      await clickThrough(analyst, 'nav.console >> text=案件 Cases', /\/staff\/cases$/);
      await clickThrough(analyst, `tr[data-case="${disputed.case_id}"] a`, `${fixture.url}/staff/cases/${disputed.case_id}`);
      assert.match(await analyst.locator('#case-link-method').innerText(), /legacy PIN/);
      assert.match(await analyst.locator('#case-kyc').innerText(), /not recorded/);
      assert.match(await analyst.locator('#case-source').innerText(), new RegExp(`${ATTACKER_SOURCE.ip.replaceAll('.', '\\.')}[\\s\\S]*${ATTACKER_SOURCE.device_id}`));
      assert.match(await analyst.locator('#case-other-links').innerText(), /ドコモ口座/);

      // The analyst declines the first held charge from the case; the page comes back with it declined.
      const [first, second] = disputed.held_charge_ids;
      await clickThrough(analyst, `tr[data-charge="${first}"] [data-action="decline"]`, `${fixture.url}/staff/cases/${disputed.case_id}`);
      assert.equal(await analyst.locator(`tr[data-charge="${first}"]`).getAttribute('data-status'), 'declined');
      assert.equal(await analyst.locator(`tr[data-charge="${second}"]`).getAttribute('data-status'), 'held');
      const timeline = await analyst.locator('#case-timeline tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-event')));
      assert.ok(timeline.indexOf('link') < timeline.indexOf('charge') && timeline.indexOf('charge') < timeline.indexOf('not-me'), timeline.join(','));
      await analyst.screenshot({ path: screenshotPath('analyst-case'), fullPage: true });

      // The other link leads to the customer, at that link's row.
      await clickThrough(analyst, `tr[data-other-link="${disputed.honest_link_id}"] a`, new RegExp(`/staff/customers/${disputed.customer_id}#link-${disputed.honest_link_id}$`));
      assert.equal(await analyst.locator(`#link-${disputed.honest_link_id}`).count(), 1);

      // The dashboard: three charts drawn from the data, then redrawn by the script without a reload.
      await clickThrough(analyst, 'nav.console >> text=ダッシュボード Dashboard', `${fixture.url}/staff`);
      for (const name of ['charges-per-minute', 'alerts-by-kind', 'top-rules']) {
        const width = await analyst.locator(`#chart-${name}`).evaluate((image: HTMLImageElement) => image.complete ? image.naturalWidth : 0);
        assert.ok(width > 0, `${name} drew`);
      }
      await analyst.waitForSelector('#chart-charges-per-minute[data-drawn-at]', { timeout: CHART_REFRESH_MS * 3 });
      await analyst.screenshot({ path: screenshotPath('analyst-dashboard'), fullPage: true });
      assert.deepEqual(violations, []);
    });
  });
}
