/** Offset from a hiragana code point to its katakana twin (ぁ U+3041 → ァ U+30A1). */
const HIRAGANA_TO_KATAKANA_OFFSET = 0x60;

/**
 * Small kana and their full-size forms. Bank records follow the Zengin character set, which has no
 * small kana, so the bank stores ｷﾖｳｺ where the wallet user types キョウコ; both must compare equal.
 */
const SMALL_TO_LARGE_KANA: Readonly<Record<string, string>> = {
  ァ: 'ア', ィ: 'イ', ゥ: 'ウ', ェ: 'エ', ォ: 'オ',
  ッ: 'ツ', ャ: 'ヤ', ュ: 'ユ', ョ: 'ヨ', ヮ: 'ワ',
  ヵ: 'カ', ヶ: 'ケ',
};

/**
 * Long vowel marks and the dashes and tildes people type for them (after NFKC, so ｰ is already ー,
 * － is -, and ～ is ~). Records disagree on whether "ー" is kept, so it carries no identity.
 */
const LONG_VOWEL_MARKS = /[ー\-‐‒–—―−~〜─━]/gu;

/** Separators between family and given name, or inside foreign names (ジョン・スミス, ジョン゠スミス). */
const NAME_SEPARATORS = /[\s・·゠=]/gu;

/**
 * Normalises a name in kana for comparison: half-width to full-width (NFKC, so ﾀﾞ → ダ), hiragana to
 * katakana, small kana to large, long vowel marks, spaces and middle dots removed, Latin upper-cased.
 * "ﾔﾏﾀﾞ ｷﾖｳｺ", "やまだ　きょうこ" and "ヤマダ・キョウコ" all become "ヤマダキヨウコ"; "サトー" becomes "サト".
 */
export function normalizeKanaName(name: string): string {
  return (
    name
      // Stand-alone voiced marks (゛゜) become combining ones first, so NFKC joins カ゛ into ガ
      // instead of leaving a space and a loose mark.
      .replace(/\u309B/g, '\u3099')
      .replace(/\u309C/g, '\u309A')
      .normalize('NFKC')
      .replace(/[\u3041-\u3096\u309D\u309E]/g, (char) => String.fromCharCode(char.charCodeAt(0) + HIRAGANA_TO_KATAKANA_OFFSET))
      .replace(/[ァィゥェォッャュョヮヵヶ]/g, (char) => SMALL_TO_LARGE_KANA[char] ?? char)
      .replace(LONG_VOWEL_MARKS, '')
      .replace(NAME_SEPARATORS, '')
      .toUpperCase()
      .normalize('NFC')
  );
}
