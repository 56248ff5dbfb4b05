import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FurikaeError } from '../errors/furikae-error.ts';
import { CAMPAIGN_MESSAGE_CHARS_MAX, checkCampaignMessage, checkPassbookLabels } from './campaign-message.ts';

const refused = (text: string) => assert.throws(() => checkCampaignMessage(text, 'ja'),
  (error: unknown) => error instanceof FurikaeError && error.code === 'campaign_message_invalid', `refuses ${JSON.stringify(text)}`);

test('plain sentences, dates, yen amounts and the bank fraud desk number are accepted, trimmed', () => {
  assert.equal(checkCampaignMessage('  2020年9月、ドコモ口座を通じた不正な引き落としが確認されました。  ', 'ja'), '2020年9月、ドコモ口座を通じた不正な引き落としが確認されました。');
  assert.equal(checkCampaignMessage('Charges of up to ¥100,000 were made between 2017-07-01 and 2020-09-30.', 'en').length > 0, true);
  assert.equal(checkCampaignMessage('Call 0120-000-000 at any hour.', 'en'), 'Call 0120-000-000 at any hour.');
  assert.equal(checkCampaignMessage('', 'en'), '');
  assert.equal(checkCampaignMessage('x'.repeat(CAMPAIGN_MESSAGE_CHARS_MAX), 'en').length, CAMPAIGN_MESSAGE_CHARS_MAX);
});

test('a link, a web address, an e-mail address or another phone number is refused, full-width spellings too', () => {
  for (const text of [
    'Check https://furikae-bank.example/check', 'hxxp://evil', 'go to www.example.net', 'visit furikae-secure.jp now', 'ＷＷＷ．ｅｘａｍｐｌｅ．ｃｏｍ',
    'ｈｔｔｐｓ：／／ｅｖｉｌ', 'mail us at help@furikae.example', 'call 03-1234-5678', 'call ０３−１２３４−５６７８', '+81 90 1234 5678', 'SMS 09012345678',
    'x'.repeat(CAMPAIGN_MESSAGE_CHARS_MAX + 1),
  ]) refused(text);
});

test('passbook labels: 1 to 10 unique labels of at most 20 characters, none with a link', () => {
  assert.deepEqual(checkPassbookLabels([' ドコモ口座 ', 'ドコモ口座', 'PAYPAY']), ['ドコモ口座', 'PAYPAY']);
  for (const labels of [[], ['  '], Array.from({ length: 11 }, (_, n) => `L${n}`), ['x'.repeat(21)], ['evil.com']]) {
    assert.throws(() => checkPassbookLabels(labels), (error: unknown) => error instanceof FurikaeError && error.code === 'campaign_message_invalid');
  }
});
