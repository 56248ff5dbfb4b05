/**
 * Normalises a name in kana for comparison: half-width to full-width (NFKC), hiragana to katakana,
 * and no spaces of either width. "ﾔﾏﾀﾞ ﾀﾛｳ", "やまだ　たろう" and "ヤマダタロウ" all become "ヤマダタロウ".
 */
export function normalizeKanaName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\u3041-\u3096]/g, (char) => String.fromCharCode(char.charCodeAt(0) + 0x60))
    .replace(/[\s\u3000]+/g, '');
}
