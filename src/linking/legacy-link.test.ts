import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { normalizeKanaName } from './kana-name.ts';

test('kana names compare equal across half-width, hiragana and spaces', () => {
  assert.equal(normalizeKanaName('ﾔﾏﾀﾞ ﾊﾅｺ'), 'ヤマダハナコ');
  assert.equal(normalizeKanaName('やまだ　はなこ'), 'ヤマダハナコ');
  assert.equal(normalizeKanaName('ヤマダハナコ'), normalizeKanaName('ヤマダ ハナコ'));
  assert.notEqual(normalizeKanaName('ヤマダ ハナエ'), normalizeKanaName('ヤマダ ハナコ'));
});

for (const backend of testBackends) {
  describe(`POST /v1/links/legacy on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend);
    });
    after(() => fixture?.close());

    test('the right account number, PIN, name and date of birth link the account and return a credential once', async () => {
      const { response, body } = await legacyLink(fixture);
      assert.equal(response.statusCode, 201);
      assert.match(body.link_token, /^lk_/);
      const link = response.json().link;
      assert.equal(link.status, 'active');
      assert.equal(link.method, 'legacy_pin');
      assert.deepEqual(link.account, { branch_code: '001', account_number_masked: '****567' });
      assert.deepEqual(link.limits, { charge_yen_max: 100_000, charges_yen_per_month_max: 300_000 });
      const [stored] = await fixture.db.query<{ token_hash: string }>(`SELECT token_hash FROM links WHERE id = $1`, [link.id]);
      assert.notEqual(stored?.token_hash, body.link_token, 'only a hash of the credential is stored');
    });

    test('a name typed in half-width kana still matches the account holder', async () => {
      assert.equal((await legacyLink(fixture, { name_kana: 'ﾔﾏﾀﾞ ﾊﾅｺ' })).response.statusCode, 201);
    });

    const mismatches: Array<[string, Record<string, unknown>]> = [
      ['a wrong account number', { account_number: '7654321' }],
      ['a wrong PIN', { pin: '1111' }],
      ['a wrong name', { name_kana: 'ヤマダ タロウ' }],
      ['a wrong date of birth', { birth_date: '1948-03-16' }],
      ['a wrong branch', { branch_code: '002' }],
    ];
    /**
     * An account holder of her own for each try, with her own PIN, tried from an address of its own: the third wrong
     * try on one account locks it, and one address or one PIN failing on many accounts is throttled
     * (legacy-link-throttle.test.ts covers these); these tests are about the mismatch answer. `source()` is the
     * address for the holder made last.
     */
    let holders = 0;
    async function ownHolder() {
      holders += 1;
      const account_number = String(8_800_000 + holders);
      // A PIN of her own too: one PIN failing on many accounts is the reverse brute force the throttle stops.
      const pin = String(2_000 + holders * 13);
      const person = await fixture.bank.services.core.openCustomer({
        name_kanji: '鈴木 美咲', name_kana: 'スズキ ミサキ', birth_date: '1995-07-21', phone: '070-3456-7890', email: `misaki${holders}@example.jp`,
        address: '岡山県', login_id: `misaki-${holders}`, password: 'misaki right password',
      });
      await fixture.bank.services.core.openAccount({ customer_id: person.id, branch_code: '001', account_number, pin });
      return { branch_code: '001', account_number, pin, name_kana: 'スズキ ミサキ', birth_date: '1995-07-21' };
    }
    const source = () => ({ ip: `203.0.113.${holders}` });

    for (const [name, overrides] of mismatches) {
      test(`${name} is refused with the same link_credentials_mismatch and nothing is written`, async () => {
        const holder = await ownHolder();
        const before = await fixture.snapshot();
        const { response } = await legacyLink(fixture, { ...holder, ...overrides }, source());
        assert.equal(response.statusCode, 422);
        assert.equal(response.json().code, 'link_credentials_mismatch');
        assert.equal(response.json().detail, 'The account details do not match', 'the answer never says which detail was wrong');
        // The try is counted toward the PIN lock of the account it named, and nothing else is written: no link, no
        // link notice.
        await fixture.assertNothingWritten(before, { except: ['credential_attempt', 'credential_lock', 'credential_lock_event', 'security_notice'] });
      });
    }

    test('every mismatch, an unknown account included, gets the same answer whichever detail was wrong', async () => {
      // Each try names an account holder of its own, so that every answer is a first failure, below any PIN lock.
      const answers = [];
      for (const [, overrides] of [...mismatches, ['an unknown account', { branch_code: '999', account_number: '0000001' }] as const]) {
        const holder = await ownHolder();
        const { response } = await legacyLink(fixture, { ...holder, ...overrides }, source());
        answers.push({ status: response.statusCode, body: response.json() });
      }
      for (const answer of answers) assert.deepEqual(answer, answers[0]);
      assert.equal(answers[0]?.body.code, 'link_credentials_mismatch');
    });

    const malformed: Array<[string, Record<string, unknown>]> = [
      ['a five-digit PIN', { pin: '12345' }],
      ['a six-digit account number', { account_number: '123456' }],
      ['an impossible date of birth', { birth_date: '1948-02-30' }],
      ['a number where the PIN string belongs', { pin: 4321 }],
      ['an unknown field', { otp: '000000' }],
    ];
    for (const [name, overrides] of malformed) {
      test(`${name} is refused with validation_failed and nothing is written`, async () => {
        const before = await fixture.snapshot();
        const { response } = await legacyLink(fixture, overrides);
        assert.equal(response.statusCode, 400);
        assert.equal(response.json().code, 'validation_failed');
        await fixture.assertNothingWritten(before);
      });
    }

    test('wrong operator credentials are refused with operator_unauthenticated', async () => {
      const response = await fixture.bank.app.inject({
        method: 'POST', url: '/v1/links/legacy',
        headers: { authorization: `Basic ${Buffer.from(`${fixture.operator.client_id}:wrong`).toString('base64')}` },
        payload: { branch_code: '001', account_number: '1234567', pin: '4321', name_kana: 'ヤマダ ハナコ', birth_date: '1948-03-15' },
      });
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().code, 'operator_unauthenticated');
    });

    test('while new_links_suspended is on a legacy link is refused and nothing is written', async () => {
      await fixture.bank.services.operators.setSwitch(fixture.operator.id, 'new_links_suspended', true);
      const before = await fixture.snapshot();
      const { response } = await legacyLink(fixture);
      assert.equal(response.statusCode, 403);
      assert.equal(response.json().code, 'new_links_suspended');
      await fixture.assertNothingWritten(before);
      await fixture.bank.services.operators.setSwitch(fixture.operator.id, 'new_links_suspended', false);
    });
  });

  describe(`an operator on the default policy on ${backend.name}`, { skip: backend.skip }, () => {
    test('cannot use the legacy path at all, even with every detail right', async () => {
      const fixture = await createBankFixture(backend, { link_methods: ['fapi2'] });
      try {
        const before = await fixture.snapshot();
        const { response } = await legacyLink(fixture);
        assert.equal(response.statusCode, 403);
        assert.equal(response.json().code, 'link_method_not_allowed');
        await fixture.assertNothingWritten(before);
      } finally {
        await fixture.close();
      }
    });

    test('registers with legacy_pin off and the 2020 limits by default', async () => {
      const fixture = await createBankFixture(backend);
      try {
        const { operator } = await fixture.bank.services.operators.register({ display_name: 'New Pay', passbook_label: 'ニューペイ' });
        assert.deepEqual(operator.link_methods_allowed, ['fapi2']);
        assert.equal(operator.charge_yen_max, 100_000);
        assert.equal(operator.charges_yen_per_month_max, 300_000);
        assert.equal(operator.new_links_suspended, false);
        assert.equal(operator.charges_suspended, false);
      } finally {
        await fixture.close();
      }
    });
  });
}
