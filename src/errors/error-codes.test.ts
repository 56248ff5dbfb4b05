import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errorCodes } from './error-codes.ts';
import { toProblem } from './problem.ts';

const documentation = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

test('every code in the registry is documented in docs/errors.md with its status', () => {
  for (const [code, { status }] of Object.entries(errorCodes)) {
    const row = documentation.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    assert.ok(row, `${code} is missing from docs/errors.md`);
    assert.match(row, new RegExp(`\\| ${status} \\|`), `${code} is documented with the wrong status`);
  }
});

test('docs/errors.md documents no code that the registry lacks', () => {
  const documented = [...documentation.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]);
  assert.deepEqual(documented.filter((code) => !(code! in errorCodes)), []);
});

test('a problem carries the registry status and title and keeps extensions', () => {
  const problem = toProblem('charge_yen_max_exceeded', 'At most ¥100,000 per charge', { charge_yen_max: 100_000 });
  assert.equal(problem.status, 422);
  assert.equal(problem.code, 'charge_yen_max_exceeded');
  assert.equal(problem.charge_yen_max, 100_000);
  assert.equal(problem.type, 'https://furikae.example/errors/charge_yen_max_exceeded');
});
