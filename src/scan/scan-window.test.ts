import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FurikaeError } from '../errors/furikae-error.ts';
import { parseScanWindow } from './scan-window.ts';

const refused = (code: string) => (error: unknown) => error instanceof FurikaeError && error.code === code;

test('a window of Japan-time days covers from midnight JST on the first day to midnight after the last', () => {
  const window = parseScanWindow('2017-07-01', '2020-09-30');
  assert.equal(window.from_at.toISOString(), '2017-06-30T15:00:00.000Z');
  assert.equal(window.to_at.toISOString(), '2020-09-30T15:00:00.000Z');
  assert.equal(parseScanWindow('2020-09-10', '2020-09-10').to_at.getTime() - parseScanWindow('2020-09-10', '2020-09-10').from_at.getTime(), 24 * 3600 * 1000);
});

test('from after to is refused with scan_window_invalid', () => {
  assert.throws(() => parseScanWindow('2020-09-30', '2017-07-01'), refused('scan_window_invalid'));
});

test('dates that are not real calendar dates, or not YYYY-MM-DD, are refused', () => {
  for (const [from, to] of [['2021-02-29', '2021-03-01'], ['2020-13-01', '2020-12-31'], ['2020/01/01', '2020-02-01'], ['', '2020-01-01'], [undefined, '2020-01-01'], ['2020-1-1', '2020-02-01']]) {
    assert.throws(() => parseScanWindow(from, to), refused('scan_window_invalid'), `${from} – ${to}`);
  }
});

test('ten years exactly is allowed; one day more is refused with scan_window_too_long', () => {
  parseScanWindow('2010-01-01', '2019-12-31');
  assert.throws(() => parseScanWindow('2010-01-01', '2020-01-01'), refused('scan_window_too_long'));
  assert.throws(() => parseScanWindow('2000-01-01', '2020-09-30'), refused('scan_window_too_long'));
});
