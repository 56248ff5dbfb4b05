/**
 * The hardened wallet against the real bank over loopback HTTP: a FAPI 2.0 link through the bank's login, TOTP and
 * consent (walked without a browser here; src/e2e does it in Chromium), DPoP charges, refresh, revocation, and the
 * callbacks the wallet refuses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { readPassbook } from '../bank/passbook.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { enrolTotp, walkConsent } from '../testing/consent-walk.ts';
import { testBackends } from '../testing/test-databases.ts';
import { openTestWallet, formValue, type TestBrowser, type TestWallet } from './open-test-wallet.ts';
import { hardenedTestSteps } from './hardened-test-steps.ts';

const WALLET_URL = 'http://wallet.test';

/** The `cnf.jkt` an access token (a JWT) is bound to. */
const boundThumbprint = (access_token: string): string | undefined =>
  JSON.parse(Buffer.from(access_token.split('.')[1]!, 'base64url').toString()).cnf?.jkt;

/** The thumbprint of the public half of a stored EC private JWK. */
const publicThumbprint = ({ kty, crv, x, y }: JWK) => calculateJwkThumbprint({ kty, crv, x, y } as JWK);

for (const backend of testBackends) {
  describe(`the hardened wallet with the real bank on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let wallet: TestWallet;
    let totp_secret: string;
    const client_id = 'wallet-hardened-test';
    let steps: ReturnType<typeof hardenedTestSteps>;

    before(async () => {
      fixture = await createBankFixture(backend, { listen: true });
      totp_secret = await enrolTotp(fixture);
      const client_secret = 'sk_hardened_wallet_test_secret_0123456789';
      wallet = await openTestWallet(backend, {
        bank: { base_url: fixture.url, client_id, client_secret },
        clock: fixture.clock,
        hardened: { public_url: WALLET_URL },
      });
      assert.ok(wallet.registration);
      steps = hardenedTestSteps(wallet);
      await fixture.bank.services.operators.register({
        display_name: 'セキュア・ウォレット (テスト)', passbook_label: 'セキュアウォレット', client_id, client_secret,
        link_methods_allowed: ['fapi2'], kyc_level_min: 'ekyc_document_face',
        jwks: wallet.registration.jwks as { keys: Record<string, unknown>[] }, redirect_uris: [wallet.registration.redirect_uri],
      });
    });
    after(async () => {
      assert.equal((await wallet.context.ledger.checkInvariants()).ok, true, "the wallet's ledger balances");
      await wallet?.closeAll();
      await fixture?.close();
    });

    /** From "Link bank account" to the bank's answer, with the customer at the bank walked through login, TOTP and consent. */
    async function linkAtBank(browser: TestBrowser, walk: { decision?: 'approve' | 'deny' } = {}) {
      const { response } = await browser.submit('/link', '/link/start', {});
      assert.equal(response.statusCode, 303, response.body);
      const authorization_url = new URL(String(response.headers.location));
      const walked = await walkConsent(fixture, authorization_url, { totp_secret, ...walk });
      fixture.clock.advance(30_000);
      assert.ok(walked.callback, `the bank sent the browser back (status ${walked.status}): ${walked.page.slice(0, 300)}`);
      return { authorization_url, callback: walked.callback };
    }

    test('the hardened link page has no legacy form: no account number, no PIN, one button to the bank', async () => {
      const user = await steps.verifiedIdentity();
      const page = await user.browser.get('/link');
      assert.equal(page.statusCode, 200);
      for (const name of ['branch_code', 'account_number', 'pin', 'name_kana', 'birth_date']) assert.doesNotMatch(page.body, new RegExp(`name="${name}"`));
      assert.doesNotMatch(page.body, /legacy-link-warning/);
      assert.match(page.body, /id="link-start"/);
      assert.match(String(page.headers['content-security-policy']), new RegExp(`form-action 'self' ${fixture.url}`));
      assert.equal((await user.browser.get('/signup')).statusCode, 303, 'a signed-in user is sent home');
      const anonymous = await wallet.browser().get('/signup');
      assert.match(anonymous.body, /name="phone"/);
    });

    describe('a user who links Hanako’s account through the bank', () => {
      let user: Awaited<ReturnType<ReturnType<typeof hardenedTestSteps>['verifiedIdentity']>>;
      let link_id: string;

      before(async () => {
        // Hanako herself: her own number, as the bank has it. A wallet with another phone has its first payment
        // challenged (unmatched-wallet-phone@1), which is not what these tests are about.
        user = await steps.verifiedIdentity({}, fixture.customer.phone);
      });

      test('"Link bank account" pushes the request to the bank and sends the browser there with only a request_uri', async () => {
        const { authorization_url, callback } = await linkAtBank(user.browser);
        assert.equal(authorization_url.origin, fixture.url);
        assert.deepEqual([...authorization_url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
        assert.equal(callback.origin + callback.pathname, `${WALLET_URL}/link/callback`);
        const back = await user.browser.get(callback.pathname + callback.search);
        assert.equal(back.statusCode, 303, back.body);
        assert.equal(back.headers.location, '/?done=linked');
        const [link] = await wallet.context.db.query<{ id: string; method: string; link_token: string | null; account_number_masked: string }>(
          `SELECT l.id, l.method, l.link_token, l.account_number_masked FROM wallet_bank_links l JOIN wallet_users u ON u.id = l.user_id
            WHERE u.email = $1 AND l.status = 'active'`, [user.email]);
        assert.ok(link);
        assert.equal(link.method, 'fapi2');
        assert.equal(link.link_token, null, 'a FAPI link has no link token');
        assert.match(link.account_number_masked, /567$/);
        link_id = link.id;
        const [grant] = await wallet.context.db.query<{ access_token: string; refresh_token: string | null; dpop_private_jwk: JWK }>(
          `SELECT access_token, refresh_token, dpop_private_jwk FROM wallet_bank_grants WHERE link_id = $1`, [link_id]);
        assert.ok(grant?.refresh_token, 'a refresh token is kept');
        assert.ok(grant?.dpop_private_jwk.d, 'the DPoP private key stays on the wallet’s server');
        const claims = JSON.parse(Buffer.from(grant.access_token.split('.')[1]!, 'base64url').toString());
        assert.equal(claims.link_id, link_id);
        assert.equal(boundThumbprint(grant.access_token), await publicThumbprint(grant.dpop_private_jwk), 'the access token is bound to the wallet’s DPoP key');
        const [bank_link] = await fixture.db.query<{ method: string; kyc: string; method_kyc: string }>(
          `SELECT method, kyc_attestation->'kyc'->>'level' AS kyc, kyc_attestation->'kyc'->>'method' AS method_kyc FROM links WHERE id = $1`, [link_id]);
        assert.deepEqual(bank_link, { method: 'fapi2', kyc: 'ekyc_document_face', method_kyc: 'ekyc_document_face:simulator' });
        const home = await user.browser.get('/?done=linked');
        assert.match(home.body, /data-link-status="active"/);
        assert.doesNotMatch(home.body, /id="identity-steps"/);
      });

      test('a ¥5,000 top-up goes as a DPoP-bound charge and the bank passbook line carries the operator’s label', async () => {
        const { response } = await user.browser.submit('/charge', '/charge', { amount_yen: '5000' }, ['top_up_id']);
        assert.equal(response.statusCode, 303, response.body);
        assert.equal(await wallet.balance(user.email), 5000);
        const last = (await readPassbook(fixture.db, fixture.bank.services.ledger, fixture.customer.account_id)).at(-1)!;
        assert.deepEqual([last.label, last.withdrawal_yen], ['セキュアウォレット', 5000]);
      });

      test("the bank's link risk and charge risk see the device id the wallet keeps for this browser", async () => {
        const device_id = user.browser.cookies.get('wallet_secure_device');
        assert.match(device_id ?? '', /^wd_[A-Za-z0-9_-]{22}$/);
        const [origin] = await fixture.db.query<{ device_id: string | null }>(`SELECT device_id FROM link_origins WHERE link_id = $1`, [link_id]);
        assert.equal(origin?.device_id, device_id, 'carried in the pushed authorization request to the consent');
        const decisions = await fixture.db.query<{ device_id: string | null }>(
          `SELECT device_id FROM risk_decisions WHERE link_id = $1 AND charge_id IS NOT NULL`, [link_id]);
        assert.ok(decisions.length > 0);
        assert.deepEqual(decisions.map((decision) => decision.device_id), decisions.map(() => device_id), 'sent as X-Device-Id with every charge');
      });

      test('an expired access token is refreshed with a DPoP-bound refresh before the next charge', async () => {
        const [before_refresh] = await wallet.context.db.query<{ access_token: string; dpop_private_jwk: JWK }>(
          `SELECT access_token, dpop_private_jwk FROM wallet_bank_grants WHERE link_id = $1`, [link_id]);
        await wallet.context.db.query(`UPDATE wallet_bank_grants SET access_token_expires_at = $2 WHERE link_id = $1`, [link_id, new Date(0)]);
        const { response } = await user.browser.submit('/charge', '/charge', { amount_yen: '1000' }, ['top_up_id']);
        assert.equal(response.statusCode, 303, response.body);
        const [after_refresh] = await wallet.context.db.query<{ access_token: string; access_token_expires_at: Date }>(
          `SELECT access_token, access_token_expires_at FROM wallet_bank_grants WHERE link_id = $1`, [link_id]);
        assert.notEqual(after_refresh?.access_token, before_refresh?.access_token);
        assert.equal(boundThumbprint(after_refresh!.access_token), await publicThumbprint(before_refresh!.dpop_private_jwk),
          'the refreshed token is bound to the same DPoP key, which never left the wallet');
        assert.ok(after_refresh!.access_token_expires_at > wallet.clock.now());
        assert.equal(await wallet.balance(user.email), 6000);
      });

      test('a second "Link bank account" while linked is refused', async () => {
        const page = await user.browser.get('/link');
        assert.doesNotMatch(page.body, /id="link-start"/, 'the linked page offers no start button');
        const posted = await user.browser.post('/link/start', { csrf_token: formValue(page.body, 'csrf_token')! });
        assert.equal(posted.statusCode, 409);
        assert.match(posted.body, /data-code="wallet_bank_link_exists"/);
      });

      test('the link page offers to renew 14 days before the consent ends, and not at 15', async () => {
        const day_ms = 24 * 60 * 60 * 1000;
        await fixture.db.query(`UPDATE links SET consent_expires_at = $2 WHERE id = $1`, [link_id, new Date(fixture.clock.now().getTime() + 15 * day_ms)]);
        assert.doesNotMatch((await user.browser.get('/link')).body, /id="consent-renewal"/);
        await fixture.db.query(`UPDATE links SET consent_expires_at = $2 WHERE id = $1`, [link_id, new Date(fixture.clock.now().getTime() + 14 * day_ms)]);
        const page = await user.browser.get('/link');
        assert.match(page.body, /data-renewal="due"/);
        assert.match(page.body, /id="link-renew"/);
        assert.match((await user.browser.get('/')).body, /id="link-renew-page"/, 'the home page points to it');
      });

      test('when the consent has ended, a top-up is refused consent_expired and points to "renew"; renewing at the bank keeps the link and the next top-up succeeds', async () => {
        await fixture.db.query(`UPDATE links SET consent_expires_at = $2 WHERE id = $1`, [link_id, new Date(fixture.clock.now().getTime() - 60_000)]);
        const balance = await wallet.balance(user.email);
        const refused = await user.browser.submit('/charge', '/charge', { amount_yen: '1000' }, ['top_up_id']);
        assert.equal(refused.response.statusCode, 403, refused.response.body);
        assert.match(refused.response.body, /data-bank-code="consent_expired"/);
        assert.match(refused.response.body, /同意を更新する/);
        assert.match((await user.browser.get('/link')).body, /data-renewal="expired"/);

        const { response } = await user.browser.submit('/link', '/link/renew', {});
        assert.equal(response.statusCode, 303, response.body);
        const walked = await walkConsent(fixture, new URL(String(response.headers.location)), { totp_secret });
        fixture.clock.advance(30_000);
        assert.ok(walked.callback, walked.page.slice(0, 300));
        const back = await user.browser.get(walked.callback.pathname + walked.callback.search);
        assert.equal(back.statusCode, 303, back.body);
        assert.equal(back.headers.location, '/?done=renewed');
        const links = await wallet.context.db.query<{ id: string }>(
          `SELECT l.id FROM wallet_bank_links l JOIN wallet_users u ON u.id = l.user_id WHERE u.email = $1`, [user.email]);
        assert.deepEqual(links.map((link) => link.id), [link_id], 'still the one link');
        const topped = await user.browser.submit('/charge', '/charge', { amount_yen: '1000' }, ['top_up_id']);
        assert.equal(topped.response.statusCode, 303, topped.response.body);
        assert.equal(await wallet.balance(user.email), balance + 1000);
        assert.doesNotMatch((await user.browser.get('/link')).body, /id="consent-renewal"/, 'nothing to renew for 180 days');
      });

      test('after the customer revokes the link at the bank, a top-up fails and the wallet forgets the link and its tokens', async () => {
        await fixture.bank.services.links.revokeByCustomer(fixture.customer.id, link_id);
        const { response } = await user.browser.submit('/charge', '/charge', { amount_yen: '1000' }, ['top_up_id']);
        assert.equal(response.statusCode, 403, response.body);
        assert.match(response.body, /data-bank-code="link_revoked"/);
        const [link] = await wallet.context.db.query<{ status: string }>(`SELECT status FROM wallet_bank_links WHERE id = $1`, [link_id]);
        assert.equal(link?.status, 'revoked');
        assert.equal((await wallet.context.db.query(`SELECT 1 FROM wallet_bank_grants WHERE link_id = $1`, [link_id])).length, 0);
        assert.equal(await wallet.balance(user.email), 7000);
      });
    });

    test('a callback with a state the wallet never issued is refused, and nothing is exchanged or stored', async () => {
      const user = await steps.verifiedIdentity();
      const { callback } = await linkAtBank(user.browser);
      const before = await wallet.snapshot();
      const forged = new URL(callback);
      forged.searchParams.set('state', 'not-a-state-this-wallet-issued');
      const response = await user.browser.get(forged.pathname + forged.search);
      assert.equal(response.statusCode, 400);
      assert.match(response.body, /data-code="wallet_link_state_invalid"/);
      await wallet.assertNothingWritten(before);
      const honest = await user.browser.get(callback.pathname + callback.search);
      assert.equal(honest.statusCode, 303, 'the real answer still works once');
      const replayed = await user.browser.get(callback.pathname + callback.search);
      assert.equal(replayed.statusCode, 400, 'and only once');
      assert.match(replayed.body, /data-code="wallet_link_state_invalid"/);
    });

    test('another wallet user’s callback is refused for this user', async () => {
      const victim = await steps.verifiedIdentity();
      const { callback } = await linkAtBank(victim.browser);
      const attacker = await steps.verifiedIdentity();
      const before = await wallet.snapshot();
      const response = await attacker.browser.get(callback.pathname + callback.search);
      assert.equal(response.statusCode, 400);
      assert.match(response.body, /data-code="wallet_link_state_invalid"/);
      await wallet.assertNothingWritten(before);
      const honest = await victim.browser.get(callback.pathname + callback.search);
      assert.equal(honest.statusCode, 303, 'the victim’s own answer still links');
    });

    test('a customer who declines at the bank comes back to wallet_link_declined and nothing is linked', async () => {
      const user = await steps.verifiedIdentity();
      const { callback } = await linkAtBank(user.browser, { decision: 'deny' });
      const before = await wallet.snapshot();
      const response = await user.browser.get(callback.pathname + callback.search);
      assert.equal(response.statusCode, 403);
      assert.match(response.body, /data-code="wallet_link_declined"/);
      assert.match(response.body, /data-bank-code="access_denied"/);
      await wallet.assertNothingWritten(before, { except: ['wallet_link_state_spent'] });
    });

    test('an eKYC name that is not the account holder’s comes back refused by the bank with identity_mismatch', async () => {
      const user = await steps.verifiedPhone();
      assert.equal((await steps.ekyc(user.browser, { name_kana: 'ヤマダ タロウ' })).statusCode, 303);
      const { callback } = await linkAtBank(user.browser);
      const response = await user.browser.get(callback.pathname + callback.search);
      assert.equal(response.statusCode, 403);
      assert.match(response.body, /data-bank-code="identity_mismatch"/);
    });

    test('"Link bank account" before eKYC is refused with wallet_ekyc_required and nothing is sent to the bank', async () => {
      const user = await steps.verifiedPhone();
      const page = await user.browser.get('/link');
      assert.match(page.body, /id="ekyc-required"/);
      const before = await wallet.snapshot();
      const response = await user.browser.post('/link/start', { csrf_token: formValue(page.body, 'csrf_token')! });
      assert.equal(response.statusCode, 403);
      assert.match(response.body, /data-code="wallet_ekyc_required"/);
      await wallet.assertNothingWritten(before);
    });

    test('"Link bank account" without the session’s CSRF token is refused and starts nothing', async () => {
      const user = await steps.verifiedIdentity();
      const before = await wallet.snapshot();
      const bankBefore = await fixture.snapshot();
      const response = await user.browser.post('/link/start', { csrf_token: 'forged' });
      assert.equal(response.statusCode, 403);
      assert.match(response.body, /data-code="wallet_csrf_token_invalid"/);
      await wallet.assertNothingWritten(before);
      await fixture.assertNothingWritten(bankBefore, { message: 'nothing was pushed to the bank' });
    });
  });
}
