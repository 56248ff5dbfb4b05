import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { browserSkip, clickThrough, launchBrowser, screenshotPath, visit } from '../testing/browser.ts';
import { plantScanHistory } from '../testing/scan-history.ts';
import { enrolledStaff, logInStaffInBrowser } from '../testing/staff-session.ts';

/** Customers with no wallet, so that a scan in one-customer chunks is still running when its page opens. */
const QUIET_CUSTOMERS = 150;
const ANALYST = { login_id: 'sato-fraud', password: 'retrospective-scan-2026', display_name: '不正対策 佐藤' };

// PostgreSQL only: PGlite runs one query at a time in this process, so the scan page's own queries wait behind the
// scan and the page opens when it is over; live progress can only be watched on a database server.
for (const backend of testBackends.filter((candidate) => candidate.name === 'postgres')) {
  describe(`in Chromium, an analyst runs a retrospective scan on ${backend.name}`, { skip: browserSkip || backend.skip }, () => {
    let fixture: BankFixture;
    let browser: Browser;
    let planted: Awaited<ReturnType<typeof plantScanHistory>>;
    let analyst: Awaited<ReturnType<typeof enrolledStaff>>;

    before(async () => {
      fixture = await createBankFixture(backend, { listen: true });
      planted = await plantScanHistory(fixture.db, { quiet_customers: QUIET_CUSTOMERS });
      analyst = await enrolledStaff(fixture, { ...ANALYST, role: 'analyst' });
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await fixture?.close();
    });

    test('from the Scans tab: a scan of 2020 in small chunks shows live progress, then the thieves’ links, sortable by score and by yen', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, locale: 'ja-JP' });
      await logInStaffInBrowser(page, fixture, analyst);
      await clickThrough(page, 'nav.console >> text=遡及スキャン Scans', `${fixture.url}/staff/scans`);

      // A bad window first: the page says why and starts nothing.
      await page.fill('#scan-from', '2020-12-31');
      await page.fill('#scan-to', '2020-01-01');
      await page.click('[data-action="start-scan"]');
      await page.waitForSelector('[data-scan-error][data-code="scan_window_invalid"]');
      await page.screenshot({ path: screenshotPath(`scan-refused-${backend.name}`), fullPage: true });

      await page.fill('#scan-from', '2020-01-01');
      await page.fill('#scan-to', '2020-12-31');
      await page.click('details summary');
      await page.fill('#scan-chunk', '1');
      const progressSeen: Array<{ status: string; chunks_done: number; chunks_total: number }> = [];
      page.on('response', (response) => {
        // The last answer ("done") makes the page reload, which can take its body away before it is read: those are
        // not counted, and only answers seen while running are asserted on below.
        if (response.url().endsWith('/progress')) response.json().then((progress) => progressSeen.push(progress), () => {});
      });
      await Promise.all([page.waitForURL(/\/staff\/scans\/[0-9a-f-]{36}$/, { timeout: 120_000 }), page.click('[data-action="start-scan"]', { noWaitAfter: true })]);
      // Live: the bar is there while it runs, and the page reloads with the results when it is done.
      const running = await page.locator('[data-scan-progress]').count();
      if (running > 0) await page.screenshot({ path: screenshotPath(`scan-progress-${backend.name}`), fullPage: true });
      await page.waitForSelector('[data-scan-status="done"]', { timeout: 120_000 });
      const chunks = QUIET_CUSTOMERS + 10;
      assert.ok(running > 0, `a scan of ${chunks} one-customer chunks was still running when its page opened`);
      const during = progressSeen.filter((progress) => progress.status === 'running');
      assert.ok(during.length > 0 && during.every((progress) => progress.chunks_total === chunks), JSON.stringify(progressSeen.slice(0, 5)));
      assert.ok(during.some((progress) => progress.chunks_done > 0 && progress.chunks_done < chunks), 'progress moved while the page watched');

      const suspects = page.locator('#suspects tbody tr[data-suspect]');
      assert.deepEqual((await suspects.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-suspect')))).sort(), [...planted.theft_link_ids].sort());
      const scores = await suspects.evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-score'))));
      assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
      await page.screenshot({ path: screenshotPath(`scan-results-${backend.name}`), fullPage: true });

      // Sort by suspect yen: ascending, then descending.
      await page.click('#suspects th a[data-sort="yen"]');
      await page.waitForSelector('#suspects[data-sort="yen"][data-dir="desc"]');
      await page.click('#suspects th a[data-sort="yen"]');
      await page.waitForSelector('#suspects[data-sort="yen"][data-dir="asc"]');
      const yen = await page.locator('#suspects tbody tr td:nth-child(8)').evaluateAll((cells) => cells.map((cell) => Number(cell.textContent!.replace(/[¥,]/g, ''))));
      assert.equal(yen.length, 3);
      assert.deepEqual(yen, [...yen].sort((a, b) => a - b));
      await page.screenshot({ path: screenshotPath(`scan-sorted-${backend.name}`), fullPage: true });

      // Tick two links and open their cases.
      const boxes = page.locator('#suspects input[name="link_ids"]');
      await boxes.nth(0).check();
      await boxes.nth(1).check();
      await clickThrough(page, '[data-action="open-selected"]', /opened=2/);
      assert.equal(await page.locator('#suspects a[data-case]').count(), 2);
      await page.screenshot({ path: screenshotPath(`scan-cases-opened-${backend.name}`), fullPage: true });
    });
  });
}
