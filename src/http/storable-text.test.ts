import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Database } from '../storage/database.ts';
import { testBackends } from '../testing/test-databases.ts';
import { findUnstorableText, unstorableReason } from './storable-text.ts';

test('NUL and unpaired surrogates are unstorable; paired surrogates, other controls and any other text are fine', () => {
  assert.match(unstorableReason('top-up\u0000')!, /NUL/);
  assert.match(unstorableReason('\ud800')!, /surrogate/);
  assert.match(unstorableReason('a\udc00b')!, /surrogate/);
  assert.match(unstorableReason('\udbff\ud800')!, /surrogate/);
  for (const text of ['', 'ヤマダ ハナコ', '😀', '\ud83d\ude00', '\u0001\u001f\u007f', 'a'.repeat(10_000), '\\u0000', '%00']) {
    assert.equal(unstorableReason(text), undefined, JSON.stringify(text));
  }
});

test('the unstorable string is found at any depth of a body, in values and in keys, with its path', () => {
  assert.deepEqual(findUnstorableText({ a: [1, { b: 'x\u0000' }] }), { path: '/a/1/b', reason: 'contains the NUL character (U+0000)' });
  assert.equal(findUnstorableText({ ['k\u0000']: 1 })?.path, '/k\\u0000');
  assert.equal(findUnstorableText(['ok', '\ud800'])?.path, '/1');
  assert.equal(findUnstorableText('\u0000')?.path, '');
  assert.equal(findUnstorableText({ a: [1, true, null, 'ok', { b: 'ヤマダ' }] }), undefined);
  // Uploaded bytes are not text: a zero byte in an image is fine.
  assert.equal(findUnstorableText({ document: new Uint8Array([0, 0, 0]) }), undefined);
});

test('a body nested far deeper than any schema is walked without overflowing the stack', () => {
  let deep: unknown = 'bad\u0000';
  for (let depth = 0; depth < 100_000; depth++) deep = [deep];
  assert.equal(findUnstorableText(deep)?.reason, 'contains the NUL character (U+0000)');
});

/** Strings from the whole UTF-16 range, lone surrogates and NUL included, as a fuzzer sends them. */
const anyText = fc.string({
  unit: fc.oneof(
    fc.constant('\u0000'),
    fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
    fc.integer({ min: 0, max: 0x10ffff }).filter((code) => code < 0xd800 || code > 0xdfff).map((code) => String.fromCodePoint(code)),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 12,
});

test('for any JSON value, something is found exactly when some string or key in it is unstorable', () => {
  const hasBad = (value: unknown): boolean =>
    typeof value === 'string' ? unstorableReason(value) !== undefined
      : Array.isArray(value) ? value.some(hasBad)
        : typeof value === 'object' && value !== null ? Object.entries(value).some(([key, item]) => unstorableReason(key) !== undefined || hasBad(item))
          : false;
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }).chain((value) => fc.tuple(fc.constant(value), anyText)), ([value, text]) => {
    const mixed = { value, text, nested: [{ [text]: value }] };
    assert.equal(findUnstorableText(mixed) !== undefined, hasBad(mixed));
  }), { numRuns: 500 });
});

for (const backend of testBackends) {
  describe(`what the check lets through is what ${backend.name} stores`, { skip: backend.skip }, () => {
    let db: Database;
    before(async () => {
      db = await backend.open();
      await db.query(`CREATE TABLE fuzz (id serial PRIMARY KEY, t text, j jsonb)`);
    });
    after(() => db?.close());

    test('fuzzed text: what passes stores and reads back exactly in text and jsonb; what is refused, PostgreSQL refuses or changes', async () => {
      await fc.assert(fc.asyncProperty(anyText, async (text) => {
        const storable = unstorableReason(text) === undefined;
        let stored: { t: string; j: { v: string } } | undefined;
        try {
          [stored] = await db.query<{ t: string; j: { v: string } }>(`INSERT INTO fuzz (t, j) VALUES ($1, $2) RETURNING t, j`, [text, { v: text }]);
        } catch {
          stored = undefined;
        }
        if (storable) assert.deepEqual(stored, { t: text, j: { v: text } }, JSON.stringify(text));
        else assert.ok(stored === undefined || stored.t !== text || stored.j.v !== text, `${JSON.stringify(text)} was refused but PostgreSQL kept it`);
      }), { numRuns: 300 });
    });
  });
}
