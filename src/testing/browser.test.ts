import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { findChromium } from './browser.ts';

test('Chromium is the first executable `chromium` along PATH, as `command -v chromium` finds it', () => {
  const root = mkdtempSync(join(tmpdir(), 'furikae-path-'));
  try {
    const folder = (name: string, chromium_mode?: number) => {
      const path = join(root, name);
      mkdirSync(path);
      if (chromium_mode !== undefined) {
        writeFileSync(join(path, 'chromium'), '#!/bin/sh\n');
        chmodSync(join(path, 'chromium'), chromium_mode);
      }
      return path;
    };
    const empty = folder('empty');
    const notExecutable = folder('not-executable', 0o644);
    const first = folder('first', 0o755);
    const second = folder('second', 0o755);
    assert.equal(findChromium([empty, notExecutable, first, second].join(delimiter)), join(first, 'chromium'));
    assert.equal(findChromium([empty, notExecutable, join(root, 'missing')].join(delimiter)), undefined);
    assert.equal(findChromium(''), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
