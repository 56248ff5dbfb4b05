/**
 * What the wallet's user sees of the bank: its own ja/en words for every code the bank can answer (never the bank's
 * English detail), and each link's real state, read from the bank's GET /v1/links/{id}.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { testBackends } from '../testing/test-databases.ts';
import { openTestWallet, type TestBrowser, type TestWallet } from './open-test-wallet.ts';
import { OPERATOR_ERROR_CODES } from '../errors/operator-error-codes.ts';
import { errorCodes } from '../errors/error-codes.ts';
import { BANK_CODE_MESSAGES, bankCodeMessage } from './bank-code-messages.ts';
import { bankFailure } from './bank-failure.ts';
import { BankError } from './bank-error.ts';

/** Japanese script: hiragana, katakana or kanji. */
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

test('the wallet has its own ja/en message for every code the bank can answer an operator with', () => {
  for (const code of OPERATOR_ERROR_CODES) {
    const message = BANK_CODE_MESSAGES[code];
    assert.ok(message, `no wallet message for ${code}`);
    assert.match(message.ja, JAPANESE, `${code}: the ja message is Japanese`);
    assert.ok(message.en.length > 0 && !JAPANESE.test(message.en), `${code}: the en message is English`);
    assert.notEqual(message.en, errorCodes[code].title, `${code}: its own words, not the registry's title for engineers`);
  }
});

test('a bank refusal shows the wallet’s words and the code as a reference, never the bank’s own detail', () => {
  const detail = 'Link 0193-abc is frozen: the customer reported it as not theirs';
  const frozen = bankFailure(new BankError(403, 'link_frozen', detail));
  assert.equal(frozen.detail, bankCodeMessage('link_frozen'));
  assert.ok(!frozen.detail.includes(detail));
  assert.match(frozen.detail, /参照コード \/ Reference: link_frozen/);
  const unknown = bankFailure(new BankError(409, 'some_future_code', 'Internal detail for engineers'));
  assert.match(unknown.detail, JAPANESE);
  assert.match(unknown.detail, /Reference: some_future_code/);
  assert.ok(!unknown.detail.includes('Internal detail'), 'an unknown code falls back without the bank’s detail');
});

for (const backend of testBackends) {
  describe(`the wallet shows a link's state as the bank reports it, on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let wallet: TestWallet;
    let serial = 0;

    before(async () => {
      fixture = await createBankFixture(backend, { risk: { mode: 'observe' } });
      const bank_url = await fixture.bank.app.listen({ port: 0, host: '127.0.0.1' });
      wallet = await openTestWallet(backend, {
        bank: { base_url: bank_url, client_id: fixture.operator.client_id, client_secret: fixture.operator.client_secret },
      });
    });
    after(async () => {
      await wallet?.closeAll();
      await fixture?.close();
    });

    /** A wallet user who linked the fixture customer's account (a fresh customer each time, so each test has its own link). */
    async function linkedUser(): Promise<{ browser: TestBrowser; link_id: string; customer_id: string }> {
      const n = ++serial;
      const person = await fixture.bank.services.core.openCustomer({
        name_kanji: '佐藤 次郎', name_kana: 'サトウ ジロウ', birth_date: '1960-01-02', phone: `090-0000-${String(2000 + n)}`,
        email: `state${n}@example.jp`, address: '東京都', login_id: `state${n}`, password: 'correct horse battery',
      });
      const account_number = String(8_000_000 + n);
      const account = await fixture.bank.services.core.openAccount({ customer_id: person.id, branch_code: '002', account_number, pin: '9876' });
      await fixture.bank.services.core.deposit(account.id, 50_000, '入金');
      const browser = wallet.browser();
      await browser.signUp(`利用者 ${n}`, `state-user${n}@example.jp`);
      const { response } = await browser.submit('/link', '/link', { branch_code: '002', account_number, pin: '9876', name_kana: 'サトウ ジロウ', birth_date: '1960-01-02' });
      assert.equal(response.statusCode, 303, response.body);
      const [row] = await wallet.context.db.query<{ id: string }>(
        `SELECT l.id FROM wallet_bank_links l JOIN wallet_users u ON u.id = l.user_id WHERE u.email = $1 AND l.status = 'active'`, [`state-user${n}@example.jp`]);
      assert.ok(row);
      return { browser, link_id: row.id, customer_id: person.id };
    }

    test('an active link is shown as linked', async () => {
      const { browser } = await linkedUser();
      const home = await browser.get('/');
      assert.match(home.body, /data-link-status="active"/);
      assert.match(home.body, /連携中 \/ Linked/);
    });

    test('a link the customer reported as not theirs is shown as frozen, in Japanese, with no English bank detail; a top-up says why in the wallet’s words', async () => {
      const { browser, link_id, customer_id } = await linkedUser();
      const [notice] = await fixture.db.query<{ id: string; created_at: Date }>(
        `SELECT id, created_at FROM notification_outbox WHERE customer_id = $1 AND template = 'link_created' ORDER BY created_at DESC LIMIT 1`, [customer_id]);
      assert.ok(notice, 'the link wrote its notice');
      const reported = await fixture.bank.services.notMe.report(await fixture.bank.services.notMeTokens.sign(notice));
      assert.equal(reported.ok, true);

      for (const path of ['/', '/link']) {
        const page = await browser.get(path);
        assert.equal(page.statusCode, 200);
        assert.match(page.body, /data-link-status="frozen"/, path);
        assert.match(page.body, /停止中 \/ Frozen by the bank/, path);
        assert.match(page.body, /身に覚えがない/, `${path}: the reason, in Japanese`);
        assert.doesNotMatch(page.body, /連携中/, `${path}: not shown as linked`);
      }

      const { response } = await browser.submit('/charge', '/charge', { amount_yen: '5000' }, ['top_up_id']);
      assert.equal(response.statusCode, 403);
      assert.match(response.body, /data-bank-code="link_frozen"/);
      assert.match(response.body, /銀行がこの口座連携を停止しています/);
      assert.ok(!response.body.includes(link_id), 'no link id from the bank’s detail');
      assert.doesNotMatch(response.body, /is frozen: the customer reported/, 'no raw bank detail');
    });

    test('a link the bank revoked is dropped with a notice, so the user can link again', async () => {
      const { browser, link_id } = await linkedUser();
      await fixture.bank.services.links.revoke(fixture.operator.id, link_id, 'test:bank-side');
      const home = await browser.get('/');
      assert.match(home.body, /data-link-status="none"/);
      assert.match(home.body, /銀行側で口座連携が解除されました/);
      const [row] = await wallet.context.db.query<{ status: string }>(`SELECT status FROM wallet_bank_links WHERE id = $1`, [link_id]);
      assert.equal(row?.status, 'revoked');
    });
  });
}
