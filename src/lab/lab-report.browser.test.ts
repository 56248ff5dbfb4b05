import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { browserSkip, launchBrowser, screenshotPath } from '../testing/browser.ts';
import { renderLabReport } from './lab-report.ts';
import { labResultsFixture } from './lab-results-fixture.ts';
import { LAB_REPORT_CSP } from '../web/staff-lab-page.ts';

describe('in Chromium, the lab report', { skip: browserSkip }, () => {
  let browser: Browser;
  let file: string;

  before(async () => {
    browser = await launchBrowser();
    file = join(await mkdtemp(join(tmpdir(), 'furikae-lab-report-')), 'index.html');
    await writeFile(file, await renderLabReport(labResultsFixture()));
  });
  after(() => browser?.close());

  test('opens as one file with nothing to fetch and no script, draws every chart, and prints the comparison', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(`file://${file}`);
    assert.deepEqual(requests, [`file://${file}`], 'the report fetches nothing besides itself');
    assert.deepEqual(errors, []);
    assert.equal(await page.locator('script').count(), 0);
    const charts = page.locator('figure svg');
    assert.equal(await charts.count(), 4, 'theft over time, detection timeline, friction, what stopped them');
    for (let index = 0; index < 4; index++) {
      const box = await charts.nth(index).boundingBox();
      assert.ok(box && box.width > 200 && box.height > 80, `chart ${index} is drawn at a readable size`);
    }
    assert.equal(await page.locator('table.summary tbody tr').count(), 2);
    assert.match(await page.locator('tr[data-configuration="2020"] td.stolen').innerText(), /¥1,500,000/);
    await page.screenshot({ path: screenshotPath('lab-report'), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    assert.ok(await page.locator('details').first().isVisible(), 'print shows the decision tables');
    await page.close();
  });

  test('served with the console\'s report CSP (its stylesheet allowed by hash, nothing inline otherwise), it is styled and nothing is refused', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    const body = await renderLabReport(labResultsFixture());
    await page.route('http://bank.test/staff/lab/report', (route) => route.fulfill({ status: 200, contentType: 'text/html', headers: { 'content-security-policy': LAB_REPORT_CSP }, body }));
    await page.goto('http://bank.test/staff/lab/report');
    assert.deepEqual(errors, [], 'the CSP refused nothing');
    const header = await page.locator('header.lab').evaluate((element) => getComputedStyle(element).backgroundColor);
    assert.equal(header, 'rgb(11, 93, 140)', 'the report\'s stylesheet applies under the CSP');
    assert.equal(await page.locator('figure svg').count(), 4);
    await page.close();
  });
});
