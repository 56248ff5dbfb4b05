import assert from 'node:assert/strict';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser, type Locator, type Page, type Response } from 'playwright-core';

/**
 * Debian's Chromium, found as `.ci/run` finds it (`command -v chromium`): the first executable `chromium` on PATH.
 * Page tests never download a browser of their own.
 */
export function findChromium(path = process.env.PATH ?? ''): string | undefined {
  for (const folder of path.split(delimiter).filter(Boolean)) {
    const candidate = join(folder, 'chromium');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder; keep looking along PATH.
    }
  }
  return undefined;
}

/** Where Chromium is on this machine, if anywhere. */
export const CHROMIUM_PATH = findChromium();

/** Where page tests save screenshots, for people to look at. */
export const TEST_OUTPUT_DIR = 'test-output';

/**
 * Why page tests are skipped on this machine (naming what is missing), or false when Chromium is there.
 * A skip fails the run under CI=true (scripts/test.ts), so CI always drives a real browser.
 */
export const browserSkip: string | false = CHROMIUM_PATH ? false : 'Chromium: no executable `chromium` on PATH (apt-get install chromium; .ci/run does)';

/** Launches headless Chromium with the flags this sandbox needs (no network beyond loopback, running as root). */
export function launchBrowser(): Promise<Browser> {
  if (!CHROMIUM_PATH) throw new Error(String(browserSkip));
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** The page's own document arriving (not a redirect on the way, not a sub-resource). */
function isDocumentAnswer(page: Page, response: Response): boolean {
  const request = response.request();
  return request.isNavigationRequest() && request.frame() === page.mainFrame() && (response.status() < 300 || response.status() >= 400);
}

/**
 * Does `action` (a click, a submit) and waits until the document it leads to has arrived and loaded, so that
 * what the test reads next is the new page and not the old one; fails if that document answered anything but 2xx
 * (or, with `expected_status`, anything but that refusal), or, with `expected_url`, if it is somewhere else.
 */
export async function navigate(page: Page, action: () => Promise<unknown>, expected_url?: string | RegExp, expected_status?: number): Promise<Response> {
  const answered = page.waitForResponse((response) => isDocumentAnswer(page, response));
  const committed = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  const [response] = await Promise.all([answered, committed, action()]);
  await page.waitForLoadState('load');
  if (expected_status === undefined) assert.ok(response.ok(), `${response.request().method()} ${response.url()} answered ${response.status()}`);
  else assert.equal(response.status(), expected_status, `${response.request().method()} ${response.url()}`);
  if (typeof expected_url === 'string') assert.equal(page.url(), expected_url);
  else if (expected_url) assert.match(page.url(), expected_url);
  return response;
}

/** Clicks `target` and waits for the page it leads to (see `navigate`). */
export function clickThrough(page: Page, target: string | Locator, expected_url?: string | RegExp, expected_status?: number): Promise<Response> {
  return navigate(page, () => (typeof target === 'string' ? page.click(target) : target.click()), expected_url, expected_status);
}

/** Opens `url`, failing unless it answers 2xx: a page that answers 500 must fail the test, not be screenshotted. */
export async function visit(page: Page, url: string): Promise<Response> {
  const response = await page.goto(url);
  assert.ok(response, `no answer from ${url}`);
  assert.ok(response.ok(), `GET ${url} answered ${response.status()}`);
  return response;
}

/** A path under test-output/ for a screenshot, creating the folder. */
export function screenshotPath(name: string): string {
  mkdirSync(TEST_OUTPUT_DIR, { recursive: true });
  return join(TEST_OUTPUT_DIR, `${name}.png`);
}
