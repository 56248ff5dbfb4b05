import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, csvLine } from './csv.ts';

test('fields with commas, quotes or line breaks are quoted with quotes doubled', () => {
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('ドコモ口座'), 'ドコモ口座');
});

test('a text cell a spreadsheet would run as a formula is written as text; numbers stay numbers', () => {
  assert.equal(csvField('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  assert.equal(csvField('@SUM(A1)'), `'@SUM(A1)`);
  assert.equal(csvField(-5), '-5');
  assert.equal(csvLine(['a', 1, null, true]), 'a,1,,true\r\n');
});
