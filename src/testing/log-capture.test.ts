import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureLogs, linesWithSecret } from './log-capture.ts';

const PIN = '4321';

test('a PIN is found bare, as a JSON string, form-encoded, percent-encoded, JSON-escaped and encoded twice', () => {
  const leaks = [
    `{"msg":"pin 4321 tried"}`,
    `{"pin":"4321"}`,
    `{"body":"branch_code=001&pin=4321&name=x"}`,
    `{"url":"/v1/links?pin=%34%33%32%31"}`,
    `{"body":"\\u0034\\u0033\\u0032\\u0031"}`,
    `{"body":"%7B%22pin%22%3A%224321%22%7D"}`,
    `{"body":"q%3Dpin%253D4321"}`,
  ];
  for (const line of leaks) assert.deepEqual(linesWithSecret([line], PIN), [line], line);
});

test('a PIN is not found inside a longer number, a hash or a UUID', () => {
  const clean = [
    `{"responseTime":14321.5}`,
    `{"id":"01a22e02-4321-710a-8370-a36df7dfd0ea"}`,
    `{"hash":"li6pAZ4321OC6ftreXEc"}`,
    `{"amount_yen":43210}`,
  ];
  assert.deepEqual(linesWithSecret(clean, PIN), []);
});

test('captured logs keep every line at trace level, with the app\'s redaction', () => {
  const { log, lines } = captureLogs();
  log.trace({ pin: PIN }, 'deep detail');
  log.info({ request: { pin: PIN } }, 'attempt');
  assert.equal(lines.length, 2);
  assert.deepEqual(linesWithSecret(lines, PIN), []);
});
