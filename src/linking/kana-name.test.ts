import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeKanaName } from './kana-name.ts';

const sameNames: Array<[string, string, string]> = [
  ['half-width katakana with voiced marks', 'ﾔﾏﾀﾞ ﾊﾅｺ', 'ヤマダ ハナコ'],
  ['half-width semi-voiced marks', 'ﾊﾟｸ ｼﾞﾕﾝ', 'パク ジュン'],
  ['hiragana', 'やまだ はなこ', 'ヤマダ ハナコ'],
  ['small kana stored large, as Zengin records do', 'ｷﾖｳｺ', 'キョウコ'],
  ['small hiragana', 'きょうこ', 'キヨウコ'],
  ['small ヵ and ヶ', 'ヶイ', 'ケイ'],
  ['a long vowel mark against none', 'オーノ', 'オノ'],
  ['a half-width long vowel mark', 'ｵｰﾉ', 'オーノ'],
  ['an ASCII hyphen for the long vowel', 'オ-ノ', 'オーノ'],
  ['a Unicode hyphen for the long vowel', 'オ‐ノ', 'オーノ'],
  ['a minus sign for the long vowel', 'オ−ノ', 'オーノ'],
  ['a full-width tilde for the long vowel', 'オ～ノ', 'オーノ'],
  ['a full-width space', 'ヤマダ　ハナコ', 'ヤマダハナコ'],
  ['several ASCII spaces and surrounding blanks', '  ヤマダ   ハナコ ', 'ヤマダハナコ'],
  ['a middle dot between names', 'ジョン・スミス', 'ジョン スミス'],
  ['a half-width middle dot', 'ｼﾞﾖﾝ･ｽﾐｽ', 'ジョン・スミス'],
  ['a stand-alone voiced mark typed after the kana', 'カ゛ク', 'ガク'],
  ['full-width and lower-case Latin letters', 'ｊｏｈｎ', 'JOHN'],
];
for (const [name, left, right] of sameNames) {
  test(`kana names compare equal across ${name}`, () => {
    assert.equal(normalizeKanaName(left), normalizeKanaName(right));
  });
}

const differentNames: Array<[string, string, string]> = [
  ['a different given name', 'ヤマダ ハナエ', 'ヤマダ ハナコ'],
  ['a voiced mark that one lacks', 'ヤマタ ハナコ', 'ヤマダ ハナコ'],
  ['a semi-voiced against a voiced mark', 'パク', 'バク'],
  ['an extra syllable', 'サトウ', 'サト'],
];
for (const [name, left, right] of differentNames) {
  test(`kana names differ when they have ${name}`, () => {
    assert.notEqual(normalizeKanaName(left), normalizeKanaName(right));
  });
}

test('a name normalises to full-width katakana with nothing between the syllables', () => {
  assert.equal(normalizeKanaName('ﾔﾏﾀﾞ ｷﾖｳｺ'), 'ヤマダキヨウコ');
  assert.equal(normalizeKanaName('やまだ　きょうこ'), 'ヤマダキヨウコ');
  assert.equal(normalizeKanaName('ヤマダ・キョウコ'), 'ヤマダキヨウコ');
});

test('a name of only spaces and dashes normalises to nothing', () => {
  assert.equal(normalizeKanaName(' 　ー-・'), '');
});
