import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { testBackends } from '../testing/test-databases.ts';
import { createIncidentFixture, type IncidentFixture } from '../testing/incident-fixture.ts';
import { browserSkip, launchBrowser, screenshotPath } from '../testing/browser.ts';
import { plantScanHistory } from '../testing/scan-history.ts';
import { totpCodeAt } from '../testing/totp-enrolment.ts';

/**
 * Logs a fixture staff member (made by staffSession: login `staff-<role>[-n]`, password `<login>-password`) in, in a
 * fresh context, with the code of an authenticator enrolled for them here, as `furikae staff enrol` would.
 */
async function signIn(browser: Browser, fixture: IncidentFixture, login_id: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'ja-JP' });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
  });
  await page.goto(`${fixture.url}/staff/login`);
  await page.fill('#login_id', login_id);
  await page.fill('#password', `${login_id}-password`);
  const member = await fixture.bank.services.staff.findByLogin(login_id);
  const { secret } = (await fixture.bank.services.staff.enrolTotp(member!.id))!;
  await page.fill('#totp_code', await totpCodeAt(secret, fixture.clock));
  await Promise.all([page.waitForURL(`${fixture.url}/staff`), page.click('button[type=submit]')]);
  return page;
}

/** Every Content-Security-Policy complaint Chromium printed: the console and the report run nothing inline. */
const violations: string[] = [];

// PostgreSQL only: the scan runs in the background while the incident page reads; PGlite runs one query at a time in
// this process, so pages would wait behind the scan, and the live progress can only be shown on a database server.
for (const backend of testBackends.filter((candidate) => candidate.name === 'postgres')) {
  describe(`in Chromium, staff work one incident end to end on ${backend.name}`, { skip: browserSkip || backend.skip }, () => {
    let fixture: IncidentFixture;
    let browser: Browser;
    let planted: Awaited<ReturnType<typeof plantScanHistory>>;

    before(async () => {
      fixture = await createIncidentFixture(backend, { listen: true });
      planted = await plantScanHistory(fixture.db);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await fixture?.close();
    });

    test('open, scan, open cases, propose, approve by a second analyst, campaign, report', async () => {
      const [operator] = await fixture.db.query<{ id: string }>(`SELECT id FROM operators WHERE client_id = 'scan-page-wallet'`);
      const shot = (page: Page, name: string) => page.screenshot({ path: screenshotPath(`incident-${name}-${backend.name}`), fullPage: true });

      // The maker opens the incident from the Incidents tab.
      const maker = await signIn(browser, fixture, 'staff-analyst');
      await maker.click('nav.console >> text=インシデント Incidents');
      await maker.fill('#title', '2020年 ドコモ口座経由の不正出金');
      await maker.check(`input[data-operator="${operator!.id}"]`);
      await maker.fill('#period_from', '2020-01-01');
      await maker.fill('#period_to', '2020-12-31');
      await Promise.all([maker.waitForURL(/\/staff\/incidents\/[0-9a-f-]{36}$/), maker.click('[data-action="open-incident"]')]);
      const incidentUrl = maker.url();
      await shot(maker, 'opened');

      // It scans the incident's period from the incident page, and opens cases for every suspect link.
      assert.equal(await maker.inputValue('#scan-from'), '2020-01-01');
      await Promise.all([maker.waitForURL(/\/staff\/scans\/[0-9a-f-]{36}$/), maker.click('[data-action="start-scan"]')]);
      await maker.waitForSelector('[data-scan-status="done"]', { timeout: 120_000 });
      const boxes = maker.locator('#suspects input[name="link_ids"]');
      assert.equal(await boxes.count(), planted.theft_link_ids.length);
      for (let index = 0; index < planted.theft_link_ids.length; index += 1) await boxes.nth(index).check();
      await Promise.all([maker.waitForURL(/opened=3/), maker.click('[data-action="open-selected"]')]);
      await shot(maker, 'scan-cases');

      // Back on the incident: the scan, its three cases, and a proposal from the scan result.
      await maker.goto(incidentUrl);
      await maker.waitForSelector('#incident-scans tr[data-status="done"]');
      assert.match(await maker.locator('h2', { hasText: '案件 Cases' }).innerText(), /\(3\)/);
      await maker.click('#incident-scans details summary');
      await Promise.all([maker.waitForURL(/compensations\/new\?scan_id=/), maker.locator('[data-action="propose-from-scan"]').first().click()]);
      await maker.fill('#note', '遡及スキャンで確認。ご本人に電話で確認済み');
      await shot(maker, 'proposal');
      await Promise.all([maker.waitForURL(/#compensation$/), maker.click('[data-action="submit-proposal"]')]);
      await maker.waitForSelector('[data-four-eyes="own"]');
      assert.equal(await maker.locator('[data-action="approve-compensation"]').count(), 0, 'the maker cannot approve her own proposal');

      // The checker approves it; it is paid.
      const checker = await signIn(browser, fixture, 'staff-analyst-2');
      await checker.goto(incidentUrl);
      await Promise.all([checker.waitForURL(/#compensation$/), checker.click('[data-action="approve-compensation"]')]);
      await checker.waitForSelector('[data-compensation][data-status="paid"]');
      await shot(checker, 'paid');

      // The admin tells the scan's customers to check their passbooks.
      const admin = await signIn(browser, fixture, 'staff-admin');
      await admin.goto(incidentUrl);
      await Promise.all([admin.waitForURL(/campaigns\/new/), admin.click('[data-action="new-campaign"]')]);
      const preview = admin.locator('form[method="get"][action$="/campaigns/new"]');
      await preview.locator('input[name="segment"][value="scan"]').check();
      await Promise.all([admin.waitForURL(/segment=scan/), preview.locator('[data-action="preview-campaign"]').click()]);
      assert.equal(await admin.locator('[data-segment-size]').innerText(), '3');
      await shot(admin, 'campaign-preview');
      await Promise.all([admin.waitForURL(/#outreach$/), admin.click('[data-action="start-campaign"]')]);
      await fixture.bank.services.campaigns.enqueuePending();
      await admin.reload();
      await admin.waitForSelector('[data-campaign]');
      await shot(admin, 'campaign');

      // The regulator's report, printable, with its two charts.
      await admin.goto(`${incidentUrl}/report.html`);
      assert.equal(await admin.locator('svg').count() >= 2, true);
      await shot(admin, 'report');
      await admin.emulateMedia({ media: 'print' });
      await shot(admin, 'report-print');
      const timeline = (await fixture.bank.services.audit.list({})).map((entry) => entry.action);
      for (const action of ['incident.open', 'scan.start', 'scan.open_cases', 'compensation.propose', 'compensation.approve', 'campaign.create', 'incident.report']) {
        assert.ok(timeline.includes(action), `${action} is in the audit chain`);
      }
      assert.deepEqual(violations, [], 'nothing was blocked by the Content-Security-Policy');
    });
  });
}
