/**
 * The hardened wallet's sign-up: a phone code texted through the wallet's own SMS gateway, and eKYC with the
 * simulator (a document image checked by its bytes, and the face-match result). No bank is needed for either.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../shared/clock.ts';
import { testBackends } from '../testing/test-databases.ts';
import { hardenedTestSteps } from './hardened-test-steps.ts';
import { formValue, openTestWallet, type TestWallet } from './open-test-wallet.ts';
import { PHONE_CODE_ATTEMPTS_MAX, PHONE_CODE_PURPOSE } from './phone-verification.ts';
import { tinyPng } from './tiny-png.ts';
import { EKYC_DOCUMENT_BYTES_MAX } from './verify-identity.ts';

for (const backend of testBackends) {
  describe(`hardened wallet sign-up on ${backend.name}`, { skip: backend.skip }, () => {
    let wallet: TestWallet;
    let steps: ReturnType<typeof hardenedTestSteps>;
    const clock = new ManualClock();

    before(async () => {
      wallet = await openTestWallet(backend, { clock, hardened: { public_url: 'http://wallet.test' } });
      steps = hardenedTestSteps(wallet);
    });
    after(() => wallet?.closeAll());

    test('sign-up asks for a mobile number and texts a 6-digit code through the wallet’s own SMS gateway', async () => {
      const user = await steps.signUp();
      assert.equal(user.response.statusCode, 303);
      assert.equal(user.response.headers.location, '/verify-phone');
      assert.match(wallet.sms.lastCode(user.e164, PHONE_CODE_PURPOSE) ?? '', /^[0-9]{6}$/);
      const page = await user.browser.get('/verify-phone');
      assert.match(page.body, /\*+5555|\*{6}\d{4}/);
      const home = await user.browser.get('/');
      assert.match(home.body, /id="identity-steps" data-current="phone"/);
    });

    test('a number that is not a Japanese mobile is refused at sign-up and opens nothing', async () => {
      const browser = wallet.browser();
      await browser.get('/signup');
      const before = await wallet.snapshot();
      const sent = wallet.sms.messages().length;
      for (const phone of ['03-1234-5678', '12345', '+1 415 555 0100']) {
        const { response } = await browser.submit('/signup', '/signup', { name: '山田 花子', email: 'not-mobile@example.jp', phone, password: 'correct horse battery' });
        assert.equal(response.statusCode, 400, phone);
        assert.match(response.body, /id="phone"[^>]*aria-invalid="true"/);
      }
      await wallet.assertNothingWritten(before);
      assert.equal(wallet.sms.messages().length, sent, 'no code was texted');
    });

    test('a wrong phone code is refused and the phone stays unverified; the fifth wrong try spends the code', async () => {
      const user = await steps.signUp();
      const right = wallet.sms.lastCode(user.e164, PHONE_CODE_PURPOSE)!;
      const wrong = right === '000000' ? '111111' : '000000';
      for (let attempt = 1; attempt <= PHONE_CODE_ATTEMPTS_MAX; attempt++) {
        const { response } = await user.browser.submit('/verify-phone', '/verify-phone', { code: wrong });
        assert.equal(response.statusCode, 422, `attempt ${attempt}`);
        assert.match(response.body, /data-code="wallet_phone_code_invalid"/);
      }
      const { response } = await user.browser.submit('/verify-phone', '/verify-phone', { code: right });
      assert.equal(response.statusCode, 422, 'the right code no longer works once five wrong ones spent it');
      const [row] = await wallet.context.db.query<{ phone_verified_at: Date | null }>(`SELECT phone_verified_at FROM wallet_users WHERE email = $1`, [user.email]);
      assert.equal(row?.phone_verified_at, null);
      const resent = await user.browser.submit('/verify-phone', '/verify-phone/resend', {});
      assert.equal(resent.response.statusCode, 200);
      const fresh = wallet.sms.lastCode(user.e164, PHONE_CODE_PURPOSE)!;
      assert.equal((await user.browser.submit('/verify-phone', '/verify-phone', { code: fresh })).response.statusCode, 303);
    });

    test('a code that is not six digits, or has expired, is refused', async () => {
      const user = await steps.signUp();
      assert.equal((await user.browser.submit('/verify-phone', '/verify-phone', { code: '12345' })).response.statusCode, 422);
      assert.equal((await user.browser.submit('/verify-phone', '/verify-phone', { code: 'abcdef' })).response.statusCode, 422);
      const code = wallet.sms.lastCode(user.e164, PHONE_CODE_PURPOSE)!;
      clock.advance(10 * 60 * 1000 + 1);
      assert.equal((await user.browser.submit('/verify-phone', '/verify-phone', { code })).response.statusCode, 422);
    });

    test('a phone verified by one wallet user cannot be verified again by another', async () => {
      const first = await steps.verifiedPhone('090-7777-0001');
      assert.ok(first);
      const second = await steps.signUp('090-7777-0001');
      assert.equal(second.response.statusCode, 409);
      assert.match(second.response.body, /data-code="wallet_phone_taken"/);
    });

    test('eKYC before the phone is verified is refused', async () => {
      const user = await steps.signUp();
      assert.equal((await user.browser.get('/ekyc')).headers.location, '/verify-phone');
      const response = await steps.ekyc(user.browser, {});
      assert.equal(response.statusCode, 403);
      assert.match(response.body, /data-code="wallet_phone_not_verified"/);
    });

    test('eKYC refuses a file that is not an image, whatever its name and declared type, and records nothing', async () => {
      const user = await steps.verifiedPhone();
      await user.browser.get('/');
      const before = await wallet.snapshot();
      const not_images = [
        { bytes: new TextEncoder().encode('%PDF-1.7 not a photo'), name: 'licence.png', type: 'image/png' },
        { bytes: new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'), name: 'licence.jpg', type: 'image/jpeg' },
        { bytes: tinyPng().subarray(0, 4), name: 'cut.png', type: 'image/png' },
      ];
      for (const document of not_images) {
        const response = await steps.ekyc(user.browser, {}, document);
        assert.equal(response.statusCode, 422, document.name);
        assert.match(response.body, /data-code="wallet_ekyc_document_invalid"/);
      }
      const missing = await steps.ekyc(user.browser, {}, null);
      assert.equal(missing.statusCode, 422);
      await wallet.assertNothingWritten(before);
    });

    test('eKYC refuses a document over 4 MiB with 413 and records nothing', async () => {
      const user = await steps.verifiedPhone();
      await user.browser.get('/');
      const before = await wallet.snapshot();
      const big = Buffer.concat([tinyPng(), Buffer.alloc(EKYC_DOCUMENT_BYTES_MAX)]);
      const response = await steps.ekyc(user.browser, {}, { bytes: big, name: 'huge.png', type: 'image/png' });
      assert.equal(response.statusCode, 413);
      assert.match(response.body, /data-code="wallet_ekyc_document_too_large"/);
      await wallet.assertNothingWritten(before);
    });

    test('eKYC with the face-match result "no match" is refused and recorded as refused; the user still cannot link', async () => {
      const user = await steps.verifiedPhone();
      const response = await steps.ekyc(user.browser, { face_match: 'no_match' });
      assert.equal(response.statusCode, 422);
      assert.match(response.body, /data-code="wallet_ekyc_refused"/);
      const [check] = await wallet.context.db.query<{ outcome: string; refusal_code: string; level: string | null }>(
        `SELECT c.outcome, c.refusal_code, c.level FROM wallet_ekyc_checks c JOIN wallet_users u ON u.id = c.user_id WHERE u.email = $1`, [user.email]);
      assert.deepEqual(check, { outcome: 'refused', refusal_code: 'face_mismatch', level: null });
      const page = await user.browser.get('/link');
      assert.match(page.body, /id="ekyc-required"/);
      const start = await user.browser.post('/link/start', { csrf_token: formValue(page.body, 'csrf_token')! });
      assert.equal(start.statusCode, 403);
      assert.match(start.body, /data-code="wallet_ekyc_required"/);
    });

    test('eKYC with a bad name, date of birth or face-match value is refused before the vendor is asked', async () => {
      const user = await steps.verifiedPhone();
      const checks = await wallet.count('wallet_ekyc_checks');
      for (const [field, value] of [['name_kana', 'Yamada Hanako'], ['birth_date', '1948-02-30'], ['face_match', 'maybe']] as const) {
        const response = await steps.ekyc(user.browser, { [field]: value });
        assert.equal(response.statusCode, 400, field);
      }
      assert.equal(await wallet.count('wallet_ekyc_checks'), checks);
    });

    test('eKYC passes with an image and a face match, recorded with its time, method, level and the document’s hash', async () => {
      const user = await steps.verifiedPhone();
      const response = await steps.ekyc(user.browser, { name_kana: 'ﾔﾏﾀﾞ ﾊﾅｺ' });
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, '/link?done=ekyc_verified');
      const [check] = await wallet.context.db.query<Record<string, unknown>>(
        `SELECT c.outcome, c.level, c.method, c.name_kana, c.birth_date, c.phone, c.document_media_type, length(c.document_sha256) AS hash_chars, c.checked_at
           FROM wallet_ekyc_checks c JOIN wallet_users u ON u.id = c.user_id WHERE u.email = $1`, [user.email]);
      assert.deepEqual({ ...check, checked_at: undefined }, {
        outcome: 'verified', level: 'ekyc_document_face', method: 'ekyc_document_face:simulator', name_kana: 'ヤマダ ハナコ',
        birth_date: '1948-03-15', phone: user.e164, document_media_type: 'image/png', hash_chars: 64, checked_at: undefined,
      });
      assert.ok(check?.checked_at instanceof Date);
    });

  });
}
