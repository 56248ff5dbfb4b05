import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; page tests never download a browser of their own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Where page tests save screenshots, for people to look at. */
export const TEST_OUTPUT_DIR = 'test-output';

/** Why page tests are skipped on this machine, or false when Chromium is there. */
export const browserSkip: string | false = existsSync(CHROMIUM_PATH) ? false : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium; .ci/run does)`;

/** Launches headless Chromium with the flags this sandbox needs (no network beyond loopback, running as root). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A path under test-output/ for a screenshot, creating the folder. */
export function screenshotPath(name: string): string {
  mkdirSync(TEST_OUTPUT_DIR, { recursive: true });
  return join(TEST_OUTPUT_DIR, `${name}.png`);
}
