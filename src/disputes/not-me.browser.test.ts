import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { testBackends } from '../testing/test-databases.ts';
import { charge, createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { browserSkip, clickThrough, launchBrowser, screenshotPath, visit } from '../testing/browser.ts';

// One backend is enough for what a person sees; the storage behaviour is tested on both in not-me.test.ts.
const backend = testBackends[0]!;

describe(`in Chromium, a customer reports "this wasn't me" on ${backend.name}`, { skip: browserSkip || backend.skip }, () => {
  let fixture: BankFixture;
  let browser: Browser;

  before(async () => {
    fixture = await createBankFixture(backend, { listen: true });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await fixture?.close();
  });

  test('the link shows the charge and asks; the button freezes the link; opening it again says already reported with the case number; no CSP violation', async () => {
    const linked = await legacyLink(fixture);
    assert.equal(linked.response.statusCode, 201);
    assert.equal((await charge(fixture, linked.body.link_token, { amount_yen: 5000 }, 'not-me-browser-1')).statusCode, 201);
    const [notice] = await fixture.db.query<{ id: string; created_at: Date }>(
      `SELECT id, created_at FROM notification_outbox WHERE customer_id = $1 AND template = 'charge_succeeded' ORDER BY created_at DESC LIMIT 1`,
      [fixture.customer.id]);
    assert.ok(notice, 'the charge wrote its notice');
    const url = `${fixture.url}/notices/not-me?token=${await fixture.bank.services.notMeTokens.sign(notice)}`;

    const page = await browser.newPage({ viewport: { width: 900, height: 900 }, locale: 'ja-JP' });
    const violations: string[] = [];
    page.on('console', (message) => void (/Content Security Policy/i.test(message.text()) && violations.push(message.text())));

    await visit(page, url);
    assert.equal(await page.textContent('#not-me-amount'), '¥5,000');
    assert.equal(await page.textContent('#not-me-account'), '001支店 普通 ****567');
    assert.match(await page.textContent('#not-me-facts') ?? '', /\(JST\)/);
    assert.equal(await page.locator('#not-me-result').count(), 0, 'opening the link reports nothing');
    await page.screenshot({ path: screenshotPath('not-me-1-confirm'), fullPage: true });
    const [link] = await fixture.db.query<{ status: string }>(`SELECT status FROM links WHERE id = $1`, [linked.body.link.id]);
    assert.equal(link?.status, 'active', 'the GET froze nothing');

    await clickThrough(page, '#not-me-submit', `${fixture.url}/notices/not-me`);
    assert.equal(await page.getAttribute('#not-me-result', 'data-result'), 'frozen');
    const case_number = await page.textContent('#case-number');
    assert.match(case_number ?? '', /^[0-9A-F]{12}$/);
    await page.screenshot({ path: screenshotPath('not-me-2-frozen'), fullPage: true });

    await visit(page, url);
    assert.equal(await page.getAttribute('#not-me-result', 'data-result'), 'already-reported');
    assert.equal(await page.textContent('#case-number'), case_number);
    assert.match(await page.textContent('main') ?? '', /すでにご報告いただいています/);
    await page.screenshot({ path: screenshotPath('not-me-3-already-reported'), fullPage: true });
    assert.deepEqual(violations, []);
  });
});
