import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from './canonical-json.ts';

test('keys are sorted at every depth, so building order does not change the text', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }), '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  assert.equal(canonicalJson({ b: 1, a: 2 }), canonicalJson({ a: 2, b: 1 }));
});

test('strings are escaped as JSON does and non-ASCII text is kept as written', () => {
  assert.equal(canonicalJson({ reason: 'ドコモ口座 "停止"\n' }), '{"reason":"ドコモ口座 \\"停止\\"\\n"}');
});

test('undefined members are left out as JSON leaves them, and undefined in an array becomes null', () => {
  assert.equal(canonicalJson({ a: undefined, b: null, c: [undefined] }), '{"b":null,"c":[null]}');
});

test('NaN, Infinity, bigint and functions have no canonical JSON and are refused', () => {
  assert.throws(() => canonicalJson(Number.NaN), TypeError);
  assert.throws(() => canonicalJson({ a: Number.POSITIVE_INFINITY }), TypeError);
  assert.throws(() => canonicalJson(10n), TypeError);
  assert.throws(() => canonicalJson({ f: () => 1 }), TypeError);
});
