import type { SeededRandom } from './seeded-random.ts';

/** Common Japanese family names, kanji with katakana: enough variety that matches by name alone mean nothing. */
const FAMILY_NAMES: readonly [string, string][] = [
  ['佐藤', 'サトウ'], ['鈴木', 'スズキ'], ['高橋', 'タカハシ'], ['田中', 'タナカ'], ['伊藤', 'イトウ'], ['渡辺', 'ワタナベ'],
  ['山本', 'ヤマモト'], ['中村', 'ナカムラ'], ['小林', 'コバヤシ'], ['加藤', 'カトウ'], ['吉田', 'ヨシダ'], ['山田', 'ヤマダ'],
  ['佐々木', 'ササキ'], ['山口', 'ヤマグチ'], ['松本', 'マツモト'], ['井上', 'イノウエ'], ['木村', 'キムラ'], ['林', 'ハヤシ'],
  ['斎藤', 'サイトウ'], ['清水', 'シミズ'], ['山崎', 'ヤマザキ'], ['森', 'モリ'], ['池田', 'イケダ'], ['橋本', 'ハシモト'],
];

const GIVEN_NAMES: readonly [string, string][] = [
  ['花子', 'ハナコ'], ['太郎', 'タロウ'], ['陽子', 'ヨウコ'], ['健一', 'ケンイチ'], ['由美', 'ユミ'], ['誠', 'マコト'],
  ['恵子', 'ケイコ'], ['浩', 'ヒロシ'], ['美咲', 'ミサキ'], ['翔太', 'ショウタ'], ['直子', 'ナオコ'], ['大輔', 'ダイスケ'],
  ['久美子', 'クミコ'], ['拓也', 'タクヤ'], ['幸子', 'サチコ'], ['茂', 'シゲル'], ['明美', 'アケミ'], ['勇', 'イサム'],
  ['結衣', 'ユイ'], ['蓮', 'レン'], ['和子', 'カズコ'], ['清', 'キヨシ'], ['真由美', 'マユミ'], ['修', 'オサム'],
];

/** A person's name in kanji and in katakana, as the bank records it. */
export function randomName(random: SeededRandom): { name_kanji: string; name_kana: string } {
  const [family_kanji, family_kana] = random.pick(FAMILY_NAMES);
  const [given_kanji, given_kana] = random.pick(GIVEN_NAMES);
  return { name_kanji: `${family_kanji} ${given_kanji}`, name_kana: `${family_kana} ${given_kana}` };
}
