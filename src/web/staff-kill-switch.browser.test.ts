import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { browserSkip, clickThrough, launchBrowser, screenshotPath, visit } from '../testing/browser.ts';
import { enrolledStaff, logInStaffInBrowser } from '../testing/staff-session.ts';

const ADMIN = { login_id: 'kanri', password: 'kill-switch-admin-2026', display_name: '監視チーム 田中' };
const REASON = 'ドコモ口座経由の不正出金 (10 Sep 2020): halt new links, keep existing ones';

/** A charge over real HTTP with a legacy link credential, as the operator's server sends it. */
function chargeOverHttp(fixture: BankFixture, link_token: string, key: string) {
  return fetch(`${fixture.url}/v1/charges`, {
    method: 'POST',
    headers: { authorization: `Bearer ${link_token}`, 'idempotency-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ amount_yen: 5000 }),
  });
}

/** A legacy link request over real HTTP for the fixture's customer. */
function linkOverHttp(fixture: BankFixture) {
  const { customer } = fixture;
  return fetch(`${fixture.url}/v1/links/legacy`, {
    method: 'POST',
    headers: { authorization: fixture.operator.basic, 'content-type': 'application/json' },
    body: JSON.stringify({ branch_code: customer.branch_code, account_number: customer.account_number, pin: customer.pin, name_kana: customer.name_kana, birth_date: customer.birth_date }),
  });
}

for (const backend of testBackends) {
  describe(`in Chromium, a staff admin halts new links on ${backend.name}`, { skip: browserSkip || backend.skip }, () => {
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

    test('after the admin flips new_links_suspended with a reason, a new link is refused while the existing link still charges, as Docomo did in September 2020', async () => {
      const admin = await enrolledStaff(fixture, { ...ADMIN, role: 'admin' });
      const existing = await legacyLink(fixture);
      assert.equal(existing.response.statusCode, 201);

      const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
      const posts: string[] = [];
      page.on('request', (request) => void (request.method() === 'POST' && posts.push(new URL(request.url()).pathname)));
      await logInStaffInBrowser(page, fixture, admin);
      assert.match(await page.textContent('header') ?? '', /監視チーム 田中/);

      await clickThrough(page, 'nav.console >> text=事業者 Operators', `${fixture.url}/staff/operators`);
      const row = page.locator(`tr[data-operator="${fixture.operator.client_id}"]`);
      assert.equal(await row.locator('[data-switch="new_links_suspended"]').getAttribute('data-on'), 'false');

      // The browser will not submit without a reason (required); the server refuses one anyway (tested elsewhere).
      const reason = row.locator('input[data-reason="new_links_suspended"]');
      await row.locator('[data-action="new_links_suspended"]').click();
      assert.equal(await reason.evaluate((input: HTMLInputElement) => input.validity.valueMissing), true, 'the empty reason stops the submit');
      await reason.fill(REASON);
      await clickThrough(page, row.locator('[data-action="new_links_suspended"]'), /\/staff\/operators#op-/);
      assert.equal(posts.filter((path) => path.startsWith('/staff/operators/')).length, 1, 'the click without a reason sent nothing');

      const flipped = page.locator(`tr[data-operator="${fixture.operator.client_id}"]`);
      assert.equal(await flipped.locator('[data-switch="new_links_suspended"]').getAttribute('data-on'), 'true');
      assert.equal(await flipped.locator('[data-switch="charges_suspended"]').getAttribute('data-on'), 'false');
      assert.match(await flipped.locator('[data-since="new_links_suspended"]').textContent() ?? '', /監視チーム 田中 · “ドコモ口座経由の不正出金/);
      await page.screenshot({ path: screenshotPath(`staff-operators-after-flip-${backend.name}`), fullPage: true });

      const refused = await linkOverHttp(fixture);
      assert.equal(refused.status, 403);
      assert.equal((await refused.json() as { code: string }).code, 'new_links_suspended');
      const charged = await chargeOverHttp(fixture, existing.body.link_token, 'after-suspension-1');
      assert.ok(charged.status === 201 || charged.status === 202, `existing link still charges (got ${charged.status})`);

      const [entry] = await fixture.bank.services.audit.list({ action: 'operator.switch' });
      assert.equal(entry?.reason, REASON);
      assert.deepEqual(entry?.details, { switch: 'new_links_suspended', on: true, was: false });

      // The dashboard shows the suspension to everyone who opens the console.
      await clickThrough(page, 'nav.console >> text=ダッシュボード Dashboard', `${fixture.url}/staff`);
      assert.match(await page.locator('.banner-warn').textContent() ?? '', /new links/);
      await page.screenshot({ path: screenshotPath(`staff-dashboard-after-flip-${backend.name}`), fullPage: true });
      await page.close();
    });
  });
}

describe('in Chromium, an analyst works an alert into a resolved case', { skip: browserSkip || testBackends[0]!.skip }, () => {
  test('the alert queue, the case page and the customer page render, and resolving as fraud closes the alert', async () => {
    const anchor_dir = await mkdtemp(join(tmpdir(), 'furikae-anchors-'));
    const fixture = await createBankFixture(testBackends[0]!, { listen: true, audit_anchor_file: join(anchor_dir, 'audit-anchors.jsonl') });
    const browser = await launchBrowser();
    try {
      const { services } = fixture.bank;
      const analyst = await enrolledStaff(fixture, { login_id: 'sato', password: 'analyst-password-2026', display_name: '不正調査 佐藤', role: 'analyst' });
      const link = await legacyLink(fixture);
      const charged = await chargeOverHttp(fixture, link.body.link_token, 'analyst-1');
      const { id: charge_id } = await charged.json() as { id: string };
      await fixture.db.transaction((tx) => services.cases.raiseAlert(tx, {
        kind: 'risk_hold', severity: 'high', customer_id: fixture.customer.id, link_id: link.body.link.id, charge_id, operator_id: fixture.operator.id,
        reason_codes: ['new_link_large_charge', 'legacy_pin_new_operator'], summary: '連携直後の高額チャージ New link, then a large charge',
      }));

      const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
      await logInStaffInBrowser(page, fixture, analyst);
      await clickThrough(page, 'nav.console >> text=アラート Alerts', /\/staff\/alerts/);
      await page.screenshot({ path: screenshotPath('staff-alert-queue'), fullPage: true });
      await clickThrough(page, '[data-action="open-case"]', /\/staff\/cases\//);
      await clickThrough(page, '[data-action="assign"]', /\/staff\/cases\//);
      assert.match(await page.locator('main').innerText(), /不正調査 佐藤/, 'the case shows who it is assigned to');
      await page.fill('#note', '本人に電話しました。ウォレットは開設していないとのこと。 Called the customer: she never opened a wallet.');
      await clickThrough(page, '[data-action="note"]', /\/staff\/cases\//);
      assert.match(await page.locator('main').innerText(), /Called the customer/, 'the note shows on the case');
      await page.fill('#resolve-reason', 'customer confirmed over the phone');
      await page.screenshot({ path: screenshotPath('staff-case-before-resolve'), fullPage: true });
      await clickThrough(page, '[data-action="resolve-fraud"]', /\/staff\/cases\//);
      assert.equal(await page.locator('[data-case-status]').first().getAttribute('data-case-status'), 'resolved');
      const [alert] = await services.cases.listAlerts();
      assert.equal(alert?.status, 'closed');

      await visit(page, `${fixture.url}/staff/customers/${fixture.customer.id}`);
      await page.screenshot({ path: screenshotPath('staff-customer-page'), fullPage: true });
      await visit(page, `${fixture.url}/staff/charges?live=0`);
      await page.screenshot({ path: screenshotPath('staff-live-charges'), fullPage: true });
      // The bank anchors its head on a timer; the test anchors now so the page can vouch for the whole chain.
      await services.audit.anchor();
      await visit(page, `${fixture.url}/staff/audit?verify=1`);
      assert.equal(await page.locator('#audit-verdict').getAttribute('data-ok'), 'true');
      await page.screenshot({ path: screenshotPath('staff-audit-log'), fullPage: true });
    } finally {
      await browser.close();
      await fixture.close();
      await rm(anchor_dir, { recursive: true, force: true });
    }
  });
});
