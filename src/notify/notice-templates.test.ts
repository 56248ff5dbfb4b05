import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderEmail, renderSms } from './notice-templates.ts';
import { formatJapanDateTime } from '../shared/japan-time.ts';
import type { Notice } from './notice.ts';

const link: Notice = {
  template: 'link_created',
  data: {
    link_id: '01900000-0000-7000-8000-000000000001', operator_name: 'ドコモ口座', branch_code: '101', account_masked: '****567',
    method: 'legacy_pin', charge_yen_max: 100_000, charges_yen_per_month_max: 300_000, linked_at: '2026-11-10T15:30:00.000Z',
  },
};
const charge: Notice = {
  template: 'charge_succeeded',
  data: {
    charge_id: '01900000-0000-7000-8000-000000000002', link_id: '01900000-0000-7000-8000-000000000001', operator_name: 'ドコモ口座',
    passbook_label: 'ﾄﾞｺﾓｺｳｻﾞ', amount_yen: 100_000, branch_code: '101', account_masked: '****567', charged_at: '2026-11-10T15:30:00.000Z',
  },
};
const notMe = { url: 'https://bank.example/notices/not-me?token=abc', expires_at: new Date('2026-12-10T15:30:00Z') };

test('times are shown in Japan time, which is UTC+9 and crosses midnight', () => {
  assert.equal(formatJapanDateTime('2026-11-10T15:30:00Z'), '2026/11/11 00:30 (JST)');
  assert.equal(formatJapanDateTime(new Date('2026-12-31T14:59:00Z')), '2026/12/31 23:59 (JST)');
});

test('a charge e-mail names the amount, the passbook label, the masked account and the Japan time, Japanese first', () => {
  const { subject, text } = renderEmail(charge, { customer_name: '山田 花子', not_me: notMe });
  assert.equal(subject, '【ふりかえ銀行】¥100,000 の引き落としのお知らせ / ¥100,000 was charged to your account');
  assert.ok(text.startsWith('山田 花子 様'));
  assert.ok(text.indexOf('金額: ¥100,000') < text.indexOf('Amount: ¥100,000'));
  assert.match(text, /通帳の摘要: ﾄﾞｺﾓｺｳｻﾞ/);
  assert.match(text, /101支店 普通 \*\*\*\*567/);
  assert.match(text, /2026\/11\/11 00:30 \(JST\)/);
  assert.equal(text.split(notMe.url).length - 1, 2, 'the "not me" link in both languages');
  assert.match(text, /有効期限: 2026\/12\/11 00:30 \(JST\)/);
  assert.match(text, /0120-000-000/);
});

test('a link e-mail names the operator, the method and the limits, and warns of a link without two-step verification', () => {
  const { subject, text } = renderEmail(link, { customer_name: '山田 花子', not_me: notMe });
  assert.match(subject, /口座連携のお知らせ \/ Your account was linked to ドコモ口座/);
  assert.match(text, /方式: 口座番号・暗証番号による連携 \(二段階認証なし\)/);
  assert.match(text, /Limits: ¥100,000 per charge, ¥300,000 a month/);
});

test('a security e-mail has no "not me" link and sends the customer to the phone instead', () => {
  const { subject, text } = renderEmail(
    { template: 'credential_locked', data: { kind: 'credential_locked', credential: 'legacy_pin', account: { branch_code: '101', account_masked: '****567' } } },
    { customer_name: '山田 花子' },
  );
  assert.match(subject, /キャッシュカード暗証番号による口座連携をロックしました/);
  assert.doesNotMatch(text, /https?:/);
  assert.match(text, /call 0120-000-000 at once/);
});

test('SMS notices carry no link and nothing a code reader could take for a six-digit code', () => {
  for (const notice of [link, charge, { template: 'second_factor_locked', data: { kind: 'second_factor_locked', factor: 'sms' } } as Notice]) {
    const text = renderSms(notice);
    assert.doesNotMatch(text, /https?:|www\./);
    assert.doesNotMatch(text, /\b\d{6}\b/);
    assert.match(text, /^【ふりかえ銀行】/);
  }
  assert.match(renderSms(charge), /¥100,000/);
});

test('a security SMS names what was locked, on which account as the passbook writes it, and the number to call', () => {
  const text = renderSms({ template: 'credential_locked', data: { kind: 'credential_locked', credential: 'legacy_pin', account: { branch_code: '101', account_masked: '****567' } } });
  assert.match(text, /^【ふりかえ銀行】口座 101支店 普通 \*\*\*\*567 のキャッシュカード暗証番号による口座連携を.*ロックしました/);
  assert.match(text, /解除は 0120-000-000 へお電話ください/);
  assert.doesNotMatch(text, /https?:|\b\d{6}\b/);
});

test('a password-lock SMS says internet banking and never shows the login id or an internal key', () => {
  const text = renderSms({ template: 'credential_locked', data: { kind: 'credential_locked', credential: 'password', account: null } });
  assert.match(text, /^【ふりかえ銀行】インターネットバンキングのログインを、続けて間違えた入力があったためロックしました。/);
  assert.match(text, /Your internet-banking login was locked/);
  assert.doesNotMatch(text, /login:|\*\*\*|口座 /);
});

test('link notices write the account as the passbook does, with 支店 after the branch', () => {
  assert.match(renderEmail(link, { customer_name: '山田 花子', not_me: notMe }).text, /口座: 101支店 普通 \*\*\*\*567/);
  assert.match(renderSms(link), /口座 101支店 普通 \*\*\*\*567 が/);
});
