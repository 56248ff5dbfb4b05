import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionFailed } from '../shared/assert.ts';
import {
  IDENTITY_MATCH_BANDS,
  IDENTITY_MATCH_SCORE_MAX,
  IDENTITY_MATCH_SCORE_MIN,
  IDENTITY_MATCH_STRONG_SCORE_MIN,
  identityVerdictForScore,
  matchIdentity,
  type IdentityFields,
} from './identity-match.ts';

/** The bank's record, written the way bank systems do: half-width kana, domestic phone. */
const record: IdentityFields = { name_kana: 'ﾔﾏﾀﾞ ｷﾖｳｺ', birth_date: '1948-03-15', phone: '090-1234-5678' };
const attested: IdentityFields = { name_kana: 'ヤマダ キョウコ', birth_date: '1948-03-15', phone: '+819012345678' };

test('an identical identity is a strong match with every field matching exactly', () => {
  assert.deepEqual(matchIdentity(record, record), {
    score: 100,
    verdict: 'strong',
    reasons: ['name_exact', 'birth_date_match', 'phone_match'],
  });
});

const sameNameWrittenDifferently: Array<[string, string, string]> = [
  ['in half-width kana', 'ﾔﾏﾀﾞ ｷﾖｳｺ', 'ヤマダ キョウコ'],
  ['in hiragana', 'ヤマダ キョウコ', 'やまだ きょうこ'],
  ['with small kana stored large', 'ヤマダ キヨウコ', 'ヤマダ キョウコ'],
  ['with a long vowel mark the record lacks', 'ｽﾐｽ ｼﾞｴﾝ', 'スミス ジェーン'],
  ['with a long vowel mark against a hyphen', 'ｵｰﾉ ﾀﾛｳ', 'オ-ノ タロウ'],
  ['without the space', 'ヤマダ　キョウコ', 'ヤマダキョウコ'],
];
for (const [name, recordName, attestedName] of sameNameWrittenDifferently) {
  test(`the same name written ${name} is a strong match`, () => {
    const match = matchIdentity({ ...attested, name_kana: attestedName }, { ...record, name_kana: recordName });
    assert.equal(match.verdict, 'strong');
    assert.equal(match.score, 100);
    assert.deepEqual(match.reasons, ['name_normalised', 'birth_date_match', 'phone_match']);
  });
}

test('a long vowel mark and its spelled-out vowel differ: オーノ is not オオノ', () => {
  const match = matchIdentity({ ...attested, name_kana: 'オーノ タロウ' }, { ...record, name_kana: 'オオノ タロウ' });
  assert.equal(match.verdict, 'mismatch');
  assert.equal(match.reasons[0], 'name_mismatch');
});

test('a different date of birth is a mismatch even when name and phone agree', () => {
  const match = matchIdentity({ ...attested, birth_date: '1948-03-16' }, record);
  assert.deepEqual(match, { score: 65, verdict: 'mismatch', reasons: ['name_normalised', 'birth_date_mismatch', 'phone_match'] });
  assert.ok(match.score < IDENTITY_MATCH_SCORE_MIN);
});

test('a different name is a mismatch even when date of birth and phone agree', () => {
  const match = matchIdentity({ ...attested, name_kana: 'ヤマダ ハナコ' }, record);
  assert.deepEqual(match, { score: 55, verdict: 'mismatch', reasons: ['name_mismatch', 'birth_date_match', 'phone_match'] });
});

test('the same phone written domestically and in E.164 matches', () => {
  assert.equal(matchIdentity({ ...attested, phone: '+81 90 1234 5678' }, record).reasons[2], 'phone_match');
});

test('a different phone alone gives a weak match that still reaches the link threshold', () => {
  const match = matchIdentity({ ...attested, phone: '080-9999-0000' }, record);
  assert.deepEqual(match, { score: 80, verdict: 'weak', reasons: ['name_normalised', 'birth_date_match', 'phone_mismatch'] });
  assert.equal(match.score, IDENTITY_MATCH_SCORE_MIN, 'name and date of birth alone sit exactly on the threshold');
});

test('a record phone that is not a phone number never matches', () => {
  assert.equal(matchIdentity({ ...attested, phone: 'unknown' }, { ...record, phone: 'unknown' }).reasons[2], 'phone_mismatch');
});

test('nothing in common scores zero', () => {
  assert.deepEqual(matchIdentity({ name_kana: 'サトウ イチロウ', birth_date: '1979-11-02', phone: '080-2345-6789' }, record), {
    score: 0,
    verdict: 'mismatch',
    reasons: ['name_mismatch', 'birth_date_mismatch', 'phone_mismatch'],
  });
});

test('two blank names do not count as a matching name', () => {
  const match = matchIdentity({ ...attested, name_kana: ' ' }, { ...record, name_kana: '　' });
  assert.equal(match.reasons[0], 'name_mismatch');
  assert.equal(match.verdict, 'mismatch');
});

test('a malformed date of birth never matches, even the same malformed one', () => {
  assert.equal(matchIdentity({ ...attested, birth_date: '' }, { ...record, birth_date: '' }).reasons[1], 'birth_date_mismatch');
  assert.equal(matchIdentity({ ...attested, birth_date: '1948/03/15' }, { ...record, birth_date: '1948/03/15' }).reasons[1], 'birth_date_mismatch');
});

test('no combination with a wrong name or a wrong date of birth passes, whatever the phone', () => {
  for (const nameAgrees of [true, false]) {
    for (const birthDateAgrees of [true, false]) {
      for (const phoneAgrees of [true, false]) {
        const match = matchIdentity(
          {
            name_kana: nameAgrees ? attested.name_kana : 'スズキ ミサキ',
            birth_date: birthDateAgrees ? attested.birth_date : '1995-07-21',
            phone: phoneAgrees ? attested.phone : '070-3456-7890',
          },
          record,
        );
        const expected = !nameAgrees || !birthDateAgrees ? 'mismatch' : phoneAgrees ? 'strong' : 'weak';
        assert.equal(match.verdict, expected, JSON.stringify({ nameAgrees, birthDateAgrees, phoneAgrees }));
        assert.ok(Number.isInteger(match.score) && match.score >= 0 && match.score <= 100);
      }
    }
  }
});

test('a score one below the threshold is a mismatch and the threshold itself is weak', () => {
  assert.equal(identityVerdictForScore(IDENTITY_MATCH_SCORE_MIN - 1), 'mismatch');
  assert.equal(identityVerdictForScore(IDENTITY_MATCH_SCORE_MIN), 'weak');
});

test('a score one below the strong band is weak and the band start is strong', () => {
  assert.equal(identityVerdictForScore(IDENTITY_MATCH_STRONG_SCORE_MIN - 1), 'weak');
  assert.equal(identityVerdictForScore(IDENTITY_MATCH_STRONG_SCORE_MIN), 'strong');
});

test('zero is a mismatch and the maximum is strong', () => {
  assert.equal(identityVerdictForScore(0), 'mismatch');
  assert.equal(identityVerdictForScore(IDENTITY_MATCH_SCORE_MAX), 'strong');
  assert.equal(IDENTITY_MATCH_SCORE_MAX, 100);
});

test('the verdict bands are half-open and cover every score from 0 to 100 exactly once', () => {
  for (let score = 0; score <= IDENTITY_MATCH_SCORE_MAX; score++) {
    const holding = IDENTITY_MATCH_BANDS.filter(({ score_lower, score_upper }) => score >= score_lower && score < score_upper);
    assert.equal(holding.length, 1, `score ${score}`);
  }
});

test('a score outside 0–100 or not an integer is a programmer error', () => {
  for (const score of [-1, 101, 79.5, Number.NaN]) {
    assert.throws(() => identityVerdictForScore(score), AssertionFailed, String(score));
  }
});
