/**
 * Test steps for the hardened wallet's sign-up, as a person takes them: sign up with a phone, type back the code
 * the wallet texted, upload a document to the eKYC simulator. Each user gets a phone number of their own.
 */
import assert from 'node:assert/strict';
import { formValue, type TestBrowser, type TestWallet } from './open-test-wallet.ts';
import { PHONE_CODE_PURPOSE } from './phone-verification.ts';
import { tinyPng } from './tiny-png.ts';

/** The demo and fixture customer 山田 花子 as an identity document shows her. */
export const HANAKO_DOCUMENT = { name_kana: 'ヤマダ ハナコ', birth_date: '1948-03-15' };

/** A file as a browser uploads it. */
export type DocumentUpload = { bytes: Uint8Array; name: string; type: string };

/** Sign-up steps against one hardened test wallet. */
export function hardenedTestSteps(wallet: TestWallet) {
  let serial = 0;

  async function signUp(phone = `090-5555-${String(1000 + ++serial)}`) {
    const browser = wallet.browser();
    const email = `secure${++serial}@example.jp`;
    const { response } = await browser.submit('/signup', '/signup', { name: '山田 花子', email, phone, password: 'correct horse battery' });
    return { browser, email, phone, response, e164: `+81${phone.replaceAll('-', '').slice(1)}` };
  }

  async function verifiedPhone(phone?: string) {
    const user = await signUp(phone);
    const code = wallet.sms.lastCode(user.e164, PHONE_CODE_PURPOSE);
    assert.ok(code, 'a code was texted');
    const { response } = await user.browser.submit('/verify-phone', '/verify-phone', { code });
    assert.equal(response.statusCode, 303, response.body);
    return user;
  }

  /** Posts the eKYC form (multipart) with a PNG document unless told otherwise. */
  async function ekyc(browser: TestBrowser, fields: Record<string, string>, document: DocumentUpload | null = { bytes: tinyPng(), name: 'licence.png', type: 'image/png' }) {
    // The token from the home page: /ekyc itself redirects a user who is not at that step.
    const home = await browser.get('/');
    return browser.postMultipart('/ekyc', { csrf_token: formValue(home.body, 'csrf_token') ?? '', ...HANAKO_DOCUMENT, face_match: 'match', ...fields }, document ? { document } : {});
  }

  /** A user through eKYC with Hanako's document; `phone` gives them Hanako's own number (the bank's record) instead of a fresh one. */
  async function verifiedIdentity(fields: Record<string, string> = {}, phone?: string) {
    const user = await verifiedPhone(phone);
    const response = await ekyc(user.browser, fields);
    assert.equal(response.statusCode, 303, response.body);
    return user;
  }

  return { signUp, verifiedPhone, ekyc, verifiedIdentity };
}
