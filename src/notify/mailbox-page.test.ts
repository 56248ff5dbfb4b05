import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import nodemailer from 'nodemailer';
import type { Browser } from 'playwright-core';
import { startMailSink, type MailSink } from './mail-sink.ts';
import { mailboxPage, MAILBOX_PATH } from './mailbox-page.ts';
import { serveStylesheets } from '../http/stylesheet.ts';
import { BANK_STYLESHEET } from '../web/layout.ts';
import { browserSkip, launchBrowser, screenshotPath, visit } from '../testing/browser.ts';

/** A not-me link as long as the bank's real ones: a signed token with no space to break at. */
const LONG_URL = `http://127.0.0.1:3000/bank/not-me?token=${'eyJhbGciOiJIUzI1NiJ9'.repeat(12)}`;

describe('the demo mailbox', () => {
  let sink: MailSink;
  let app: FastifyInstance;

  before(async () => {
    sink = await startMailSink();
    const transport = nodemailer.createTransport({ url: sink.url } as never);
    await transport.sendMail({
      from: 'ふりかえ銀行 <notices@furikae-bank.example>', to: 'hanako@example.jp', subject: '口座連携のお知らせ',
      headers: { 'X-Furikae-Notice': 'link_created' }, text: `お心当たりがない場合: ${LONG_URL}`,
    });
    await sink.waitFor();
    app = Fastify();
    serveStylesheets(app, [BANK_STYLESHEET]);
    mailboxPage(app, sink);
    await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await app.close();
    await sink.close();
  });

  test('stamps each mail with the Japan time it arrived, not UTC', async () => {
    const received_at = sink.messages()[0]!.received_at;
    const expected = new Date(received_at.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    const page = (await app.inject({ url: MAILBOX_PATH })).body;
    assert.ok(page.includes(`Received: ${expected} JST`), `the page shows ${expected} JST`);
    assert.doesNotMatch(page, /Received: [^<]*Z</, 'no UTC stamp');
  });

  describe('in Chromium on a phone-sized screen', { skip: browserSkip }, () => {
    let browser: Browser;
    before(async () => {
      browser = await launchBrowser();
    });
    after(() => browser?.close());

    test('wraps a long link inside the page instead of widening it', async () => {
      const page = await browser.newPage({ viewport: { width: 390, height: 800 } });
      await visit(page, `http://127.0.0.1:${(app.server.address() as { port: number }).port}${MAILBOX_PATH}`);
      const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      await page.screenshot({ path: screenshotPath('demo-mailbox-phone'), fullPage: true });
      assert.ok(widths.scroll <= widths.client, `the page is ${widths.scroll}px wide in a ${widths.client}px window`);
      assert.equal(await page.locator(`a[href="${LONG_URL}"]`).count(), 1, 'the long link is still one clickable link');
    });
  });
});
