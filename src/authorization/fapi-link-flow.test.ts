import { describe, test, before, after } from 'node:test';
import { NEW_FACTOR_COOLING_OFF_MS } from '../mfa/factor-policy.ts';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as client from 'openid-client';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { CONSENT_WALK_WRITES, type RefusalWriteName } from '../testing/refusal-may-write.ts';
import { createFapiOperator, type FapiOperator } from '../testing/fapi-operator.ts';
import { enrolTotp, totpNow, walkConsent } from '../testing/consent-walk.ts';
import { createSoftwareAuthenticator } from '../testing/software-authenticator.ts';
import { readPassbook } from '../bank/passbook.ts';
import { rawHttp } from '../testing/raw-http.ts';

const HANAKO = { name_kana: 'ﾔﾏﾀﾞ ﾊﾅｺ', birth_date: '1948-03-15', phone: '+81 90 1111 2222' };

/** The `cnf.jkt` an access token (a JWT) is bound to. */
function boundThumbprint(access_token: string): string | undefined {
  return JSON.parse(Buffer.from(access_token.split('.')[1]!, 'base64url').toString()).cnf?.jkt;
}

/** A DPoP proof made by hand, for attacks openid-client would never send. */
async function handMadeProof(key: CryptoKey, publicJwk: object, access_token: string, htu: string, jti = randomUUID()) {
  const ath = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(access_token))).toString('base64url');
  return new SignJWT({ htm: 'POST', htu, jti, ath })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: publicJwk as never })
    .setIssuedAt()
    .sign(key);
}

for (const backend of testBackends) {
  describe(`FAPI 2.0 link and DPoP charges with an outside openid-client on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let operator: FapiOperator;
    let totp: string;
    let access_token: string;
    let refresh_token: string;
    let link_id: string;

    before(async () => {
      fixture = await createBankFixture(backend, { listen: true });
      totp = await enrolTotp(fixture);
      operator = await createFapiOperator({ bank_url: fixture.url, operators: fixture.bank.services.operators, now: () => fixture.clock.now() });
    });
    after(() => fixture?.close());

    /** A whole link: PAR, the customer at the bank, code exchange. */
    async function link(kyc = HANAKO, consent_factor: 'totp' | 'sms' = 'totp') {
      const { url, code_verifier } = await operator.startLink(await operator.attest(kyc));
      const walked = await walkConsent(fixture, url, { totp_secret: totp, consent_factor });
      fixture.clock.advance(30_000);
      assert.ok(walked.callback, `the bank sent the browser back (status ${walked.status}): ${walked.page.slice(0, 300)}`);
      return { callback: walked.callback, code_verifier };
    }

    test('an SMS code cannot approve the consent of a customer with an authenticator: 403 second_factor_not_allowed, no code sent, no link', async () => {
      const { url } = await operator.startLink(await operator.attest(HANAKO));
      const texts_before = fixture.sms.messages('090-1111-2222').length;
      const links_before = await fixture.db.query(`SELECT id FROM links`);
      const walked = await walkConsent(fixture, url, { totp_secret: totp, consent_factor: 'sms' });
      fixture.clock.advance(30_000);
      assert.equal(walked.callback, undefined, 'the bank did not send the browser back with a code');
      assert.equal(walked.status, 403);
      assert.match(walked.page, /SMS|この認証方法/);
      assert.equal(fixture.sms.messages('090-1111-2222').length, texts_before, 'no code went to the phone');
      assert.equal((await fixture.db.query(`SELECT id FROM links`)).length, links_before.length, 'no link was made');
    });

    test('PAR, login with password and TOTP, consent approved with the authenticator, then a ¥5,000 charge with a DPoP-bound token', async () => {
      const { callback, code_verifier } = await link(HANAKO);
      assert.equal(callback.searchParams.get('iss'), `${fixture.url}/oidc`, 'the authorization response carries iss (RFC 9207)');
      const tokens = await operator.exchange(callback, code_verifier);
      assert.equal(tokens.token_type.toLowerCase(), 'dpop');
      access_token = tokens.access_token;
      refresh_token = tokens.refresh_token!;
      assert.equal(boundThumbprint(access_token), await calculateJwkThumbprint(await exportJWK(operator.dpopKeys.publicKey)),
        'the token is bound to the operator\'s DPoP key');
      const response = await operator.charge(access_token, { amount_yen: 5000 });
      assert.equal(response.status, 201, await response.clone().text());
      const charge = await response.json();
      link_id = charge.link_id;
      const [stored] = await fixture.db.query<{ method: string; approved_with_factor: string; identity_match_score: number; kyc: string; consent_expires_at: Date }>(
        `SELECT method, approved_with_factor, identity_match_score, kyc_attestation->'kyc'->>'level' AS kyc, consent_expires_at FROM links WHERE id = $1`, [link_id]);
      assert.equal(stored?.method, 'fapi2');
      assert.equal(stored?.approved_with_factor, 'totp');
      assert.equal(stored?.kyc, 'ekyc_document_face');
      assert.equal(stored?.identity_match_score, 100);
      assert.ok(stored!.consent_expires_at > fixture.clock.now());
      const last = (await readPassbook(fixture.db, fixture.bank.services.ledger, fixture.customer.account_id)).at(-1)!;
      assert.deepEqual([last.label, last.withdrawal_yen], ['セキュアペイ', 5000]);
    });

    test('a customer with no authenticator links with SMS codes at the sign-in and the consent, and the consent code names the operator', async () => {
      const taro = { name_kana: 'スズキ タロウ', birth_date: '1990-07-07', phone: '080-3333-4444' };
      const person = await fixture.bank.services.core.openCustomer({
        name_kanji: '鈴木 太郎', ...taro, email: 'taro@example.jp', address: '大阪府', login_id: 'taro', password: 'taro right password',
      });
      await fixture.bank.services.core.openAccount({ customer_id: person.id, branch_code: '001', account_number: '7654321', pin: '1357' });
      const { url } = await operator.startLink(await operator.attest(taro));
      const walked = await walkConsent(fixture, url, { login_id: 'taro', password: 'taro right password', login_factor: 'sms', consent_factor: 'sms', phone: taro.phone });
      fixture.clock.advance(30_000);
      assert.ok(walked.callback, `the bank sent the browser back (status ${walked.status}): ${walked.page.slice(0, 300)}`);
      const [stored] = await fixture.db.query<{ approved_with_factor: string }>(
        `SELECT l.approved_with_factor FROM links l JOIN bank_accounts a ON a.id = l.account_id WHERE a.customer_id = $1`, [person.id]);
      assert.equal(stored?.approved_with_factor, 'sms');
      // Dynamic linking: the consent code names the operator it links to where it arrives, so a relayed code shows it.
      const consentCode = fixture.sms.messages(taro.phone).filter((message) => message.purpose === 'consent').at(-1)!;
      assert.ok(consentCode.text.includes(`${operator.operator.display_name}との口座連携の承認`), consentCode.text);
      assert.ok(consentCode.text.includes(`approving a link of your account to ${operator.operator.display_name}`), consentCode.text);
    });

    test('a SIM swapped within the window refuses the SMS sign-in for a link: 403 sim_swap_detected, no code sent, and staff are alerted', async () => {
      const jiro = { name_kana: 'スズキ ジロウ', birth_date: '1992-08-08', phone: '080-5555-6666' };
      const person = await fixture.bank.services.core.openCustomer({
        name_kanji: '鈴木 次郎', ...jiro, email: 'jiro@example.jp', address: '大阪府', login_id: 'jiro', password: 'jiro right password',
      });
      await fixture.bank.services.core.openAccount({ customer_id: person.id, branch_code: '001', account_number: '7654322', pin: '1357' });
      fixture.simSwap.swapSim(jiro.phone);
      const { url } = await operator.startLink(await operator.attest(jiro));
      const walked = await walkConsent(fixture, url, { login_id: 'jiro', password: 'jiro right password', login_factor: 'sms', consent_factor: 'sms', phone: jiro.phone });
      assert.equal(walked.callback, undefined);
      assert.equal(walked.status, 403);
      assert.match(walked.page, /SIM/);
      assert.equal(fixture.sms.messages(jiro.phone).filter((message) => message.purpose === 'login').length, 0, 'no code went to the swapped SIM');
      const alerts = await fixture.db.query<{ reason_codes: string[] }>(`SELECT reason_codes FROM alerts WHERE customer_id = $1 AND kind = 'sim_swap_detected'`, [person.id]);
      assert.equal(alerts.length, 1);
      assert.ok(alerts[0]!.reason_codes.includes('sms_refused_for_link'));
    });

    test('the authorization code works once: a second exchange of the same code is refused', async () => {
      const { callback, code_verifier } = await link();
      await operator.exchange(callback, code_verifier);
      await assert.rejects(operator.exchange(callback, code_verifier), (error: { error?: string }) => error.error === 'invalid_grant');
    });

    test('a code issued to one operator cannot be redeemed by another', async () => {
      const { callback, code_verifier } = await link();
      const other = await createFapiOperator({ bank_url: fixture.url, operators: fixture.bank.services.operators, display_name: 'Other Pay', passbook_label: 'アザー' });
      // The other operator authenticates fine (its own PAR is accepted), so the refusal below is about the code.
      await other.startLink(await other.attest(HANAKO));
      await assert.rejects(other.exchange(callback, code_verifier), (error: { error?: string }) => error.error === 'invalid_grant');
    });

    test('a refreshed access token is bound to the DPoP key that proved the refresh, and charges with it', async () => {
      const refreshed = await client.refreshTokenGrant(operator.config, refresh_token, undefined, { DPoP: operator.dpop });
      assert.equal(refreshed.token_type.toLowerCase(), 'dpop');
      assert.notEqual(refreshed.access_token, access_token);
      assert.equal(boundThumbprint(refreshed.access_token), await calculateJwkThumbprint(await exportJWK(operator.dpopKeys.publicKey)));
      const response = await operator.charge(refreshed.access_token, { amount_yen: 100 });
      assert.equal(response.status, 201, await response.clone().text());
      assert.equal((await response.json()).link_id, link_id);
      refresh_token = refreshed.refresh_token ?? refresh_token;
    });

    test('a charge with the access token but no DPoP proof is refused with dpop_proof_invalid', async () => {
      const response = await fetch(`${fixture.url}/v1/charges`, {
        method: 'POST', body: JSON.stringify({ amount_yen: 100 }),
        headers: { authorization: `DPoP ${access_token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      });
      assert.equal(response.status, 401);
      assert.equal((await response.json()).code, 'dpop_proof_invalid');
    });

    test('the access token as a plain bearer token charges nothing', async () => {
      const response = await fetch(`${fixture.url}/v1/charges`, {
        method: 'POST', body: JSON.stringify({ amount_yen: 100 }),
        headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      });
      assert.equal(response.status, 401);
      assert.equal((await response.json()).code, 'link_token_invalid');
    });

    const thief = generateKeyPair('ES256', { extractable: true });
    const postWithProof = async (proof: string) => fetch(`${fixture.url}/v1/charges`, {
      method: 'POST', body: JSON.stringify({ amount_yen: 100 }),
      headers: { authorization: `DPoP ${access_token}`, dpop: proof, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    });

    test('a DPoP proof signed with another key than the token is bound to is refused', async () => {
      const { privateKey, publicKey } = await thief;
      const response = await postWithProof(await handMadeProof(privateKey, await exportJWK(publicKey), access_token, `${fixture.url}/v1/charges`));
      assert.equal(response.status, 401);
      assert.equal((await response.json()).code, 'dpop_proof_invalid');
    });

    test('a DPoP proof made for another URL is refused', async () => {
      const { privateKey, publicKey } = operator.dpopKeys;
      const response = await postWithProof(await handMadeProof(privateKey, await exportJWK(publicKey), access_token, `${fixture.url}/v1/refunds`));
      assert.equal(response.status, 401);
      assert.equal((await response.json()).code, 'dpop_proof_invalid');
    });

    test('a DPoP proof that was used once is refused the second time', async () => {
      const { privateKey, publicKey } = operator.dpopKeys;
      const jwk = await exportJWK(publicKey);
      assert.equal(await calculateJwkThumbprint(jwk), JSON.parse(Buffer.from(access_token.split('.')[1]!, 'base64url').toString()).cnf.jkt);
      const proof = await handMadeProof(privateKey, jwk, access_token, `${fixture.url}/v1/charges`);
      assert.equal((await postWithProof(proof)).status, 201);
      const replay = await postWithProof(proof);
      assert.equal(replay.status, 401);
      assert.equal((await replay.json()).code, 'dpop_proof_replayed');
    });

    test('a token used to charge another link is refused with link_mismatch', async () => {
      const response = await operator.charge(access_token, { amount_yen: 100, link_id: randomUUID() });
      assert.equal(response.status, 403);
      assert.equal((await response.json()).code, 'link_mismatch');
    });

    test('PAR with plain PKCE, or none, is refused', async () => {
      const attestation = await operator.attest(HANAKO);
      type OAuthError = { error?: string; error_description?: string };
      await assert.rejects(operator.startLink(attestation, { code_challenge_method: 'plain', code_challenge: 'a'.repeat(43) }),
        (error: OAuthError) => error.error === 'invalid_request' && /code_challenge_method/.test(error.error_description ?? ''));
      await assert.rejects(
        client.buildAuthorizationUrlWithPAR(operator.config, { redirect_uri: operator.redirect_uri, scope: 'openid charges', kyc_attestation: attestation }, { DPoP: operator.dpop }),
        (error: OAuthError) => error.error === 'invalid_request' && /PKCE/.test(error.error_description ?? ''));
    });

    for (const [name, device_id] of [['with spaces', 'my phone'], ['too long', 'x'.repeat(129)]] as const) {
      test(`PAR with a device_id ${name} is refused with invalid_request`, async () => {
        await assert.rejects(operator.startLink(await operator.attest(HANAKO), { device_id }),
          (error: { error?: string; error_description?: string }) => error.error === 'invalid_request' && /device_id/.test(error.error_description ?? ''));
      });
    }

    test('PAR with a redirect URI the operator never registered is refused', async () => {
      await assert.rejects(operator.startLink(await operator.attest(HANAKO), { redirect_uri: 'https://evil.example/callback' }),
        (error: { error?: string }) => error.error === 'invalid_redirect_uri' || error.error === 'invalid_request');
    });

    test('PAR without client authentication is refused with invalid_client', async () => {
      const response = await fetch(`${fixture.url}/oidc/request`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: operator.operator.client_id, response_type: 'code', redirect_uri: operator.redirect_uri, scope: 'openid charges', code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' }),
      });
      assert.equal(response.status, 401);
      assert.equal((await response.json()).error, 'invalid_client');
    });

    test('an expired request_uri is refused at the bank and never reaches login', async () => {
      const { url } = await operator.startLink(await operator.attest(HANAKO));
      await fixture.db.query(`UPDATE oidc_payloads SET expires_at = now() - interval '1 second' WHERE model = 'PushedAuthorizationRequest'`);
      const response = await fetch(url, { redirect: 'manual' });
      assert.equal(response.status, 400);
      assert.match(await response.text(), /invalid_request_uri/);
    });

    // The same words whichever field differed: the operator (or a thief behind it) never learns which part to fix.
    const GENERIC_IDENTITY_MISMATCH = /^identity_mismatch: The verified identity does not match the account holder$/;
    // An attestation that verifies is spent at the approved consent before the identity is compared (so that it can
    // never be replayed), and that use is the one write a mismatch adds to the walk's own.
    const refusedAtConsent: Array<[string, () => Promise<string>, RegExp, readonly RefusalWriteName[]]> = [
      ['a KYC name that is not the account holder’s', () => operator.attest({ ...HANAKO, name_kana: 'ヤマダ タロウ' }), GENERIC_IDENTITY_MISMATCH, ['kyc_attestation_use']],
      ['a KYC date of birth that is not the account holder’s', () => operator.attest({ ...HANAKO, birth_date: '1949-03-15' }), GENERIC_IDENTITY_MISMATCH, ['kyc_attestation_use']],
      ['an attestation signed with a key the operator never registered', async () => operator.attest(HANAKO, (await thief).privateKey), /kyc_attestation_invalid/, []],
      ['an attestation below the operator’s minimum KYC level', () => operator.attest({ ...HANAKO, level: 'email' }), /kyc_level_too_low/, []],
    ];
    for (const [name, attestation, code, spends] of refusedAtConsent) {
      test(`${name} is refused at consent with access_denied and no link is written`, async () => {
        const before = await fixture.snapshot();
        const { url } = await operator.startLink(await attestation());
        const walked = await walkConsent(fixture, url, { totp_secret: totp });
        fixture.clock.advance(30_000);
        assert.equal(walked.callback?.searchParams.get('error'), 'access_denied');
        assert.match(walked.callback?.searchParams.get('error_description') ?? '', code);
        await fixture.assertNothingWritten(before, { except: [...CONSENT_WALK_WRITES, ...spends] });
      });
    }

    test('a KYC attestation that already linked is refused at a second consent with kyc_attestation_replayed, and nothing more is linked', async () => {
      const attestation = await operator.attest(HANAKO);
      const first = await walkConsent(fixture, (await operator.startLink(attestation)).url, { totp_secret: totp });
      fixture.clock.advance(30_000);
      assert.ok(first.callback?.searchParams.get('code'), 'the first use links');
      const before = await fixture.snapshot();
      const again = await walkConsent(fixture, (await operator.startLink(attestation)).url, { totp_secret: totp });
      fixture.clock.advance(30_000);
      assert.equal(again.callback?.searchParams.get('error'), 'access_denied');
      assert.match(again.callback?.searchParams.get('error_description') ?? '', /^kyc_attestation_replayed: /);
      // The second walk leaves its login trail and may forget uses that expired meanwhile; it writes no use, link or grant.
      await fixture.assertNothingWritten(before, { except: CONSENT_WALK_WRITES });
    });

    test('a customer who declines sends the operator access_denied and nothing is linked', async () => {
      const before = await fixture.snapshot();
      const { url } = await operator.startLink(await operator.attest(HANAKO));
      const walked = await walkConsent(fixture, url, { totp_secret: totp, decision: 'deny' });
      fixture.clock.advance(30_000);
      assert.equal(walked.callback?.searchParams.get('error'), 'access_denied');
      await fixture.assertNothingWritten(before, { except: CONSENT_WALK_WRITES });
    });

    test('a consent form posted without the session’s CSRF token is refused and nothing is linked', async () => {
      const before = await fixture.snapshot();
      const { url } = await operator.startLink(await operator.attest(HANAKO));
      const walked = await walkConsent(fixture, url, { totp_secret: totp, decision: 'none' });
      fixture.clock.advance(30_000);
      // The walk reached the consent form itself, so the 403 below is the CSRF check and not a failed login.
      assert.equal(walked.status, 200);
      assert.match(walked.page, new RegExp(`action="/interaction/${walked.uid}/consent"`));
      assert.match(walked.page, /name="csrf"/);
      assert.match(walked.page, /セキュア・ペイ/, 'the consent names the operator');
      const forged = await walked.agent.post(`${fixture.url}/interaction/${walked.uid}/consent`, { csrf: 'forged', decision: 'approve', account_id: fixture.customer.account_id, factor: 'totp', code: '000000' });
      assert.equal(forged.status, 403);
      await fixture.assertNothingWritten(before, { except: CONSENT_WALK_WRITES });
    });

    test('a login locked after five wrong passwords is told at the sign-in for linking that it is locked, why and whom to call, even with the right password', async () => {
      await fixture.bank.services.core.openCustomer({
        name_kanji: '田中 健二', name_kana: 'タナカ ケンジ', birth_date: '1981-03-04', phone: '080-1111-2222', email: 'k@example.jp',
        address: '広島県', login_id: 'kenji', password: 'kenji right password',
      });
      const signIn = async (password: string) => {
        const { url } = await operator.startLink(await operator.attest(HANAKO));
        return walkConsent(fixture, url, { totp_secret: totp, login_id: 'kenji', password });
      };
      for (let i = 0; i < 4; i++) {
        const wrong = await signIn(`guess-${i}`);
        assert.equal(wrong.status, 401);
        assert.match(wrong.page, /ログインIDまたはパスワードが違います/);
      }
      for (const password of ['guess-4', 'kenji right password']) {
        const locked = await signIn(password);
        assert.equal(locked.status, 423, password);
        assert.match(locked.page, /ロックしました.*0120-000-000/);
        assert.doesNotMatch(locked.page, /パスワードが違います/);
      }
    });

    /** Headers that claim the request was sent to another origin, every way a client can say it. */
    const FORGED_ORIGIN = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', forwarded: 'host=evil.example;proto=https' };

    async function chargeWithProof(proof: string, target = '/v1/charges', headers: Record<string, string> = FORGED_ORIGIN) {
      return rawHttp(fixture.url, {
        method: 'POST', target, body: JSON.stringify({ amount_yen: 100 }),
        headers: { ...headers, authorization: `DPoP ${access_token}`, dpop: proof, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      });
    }

    test('a DPoP proof made for another origin is refused, even when the Host, forwarding headers or request target name that origin', async () => {
      const { privateKey, publicKey } = operator.dpopKeys;
      const jwk = await exportJWK(publicKey);
      for (const htu of ['https://evil.example/v1/charges', 'http://evil.example/v1/charges']) {
        for (const target of ['/v1/charges', htu]) {
          const answer = await chargeWithProof(await handMadeProof(privateKey, jwk, access_token, htu), target);
          assert.equal(answer.status, 401, `${htu} via ${target}`);
          assert.equal(JSON.parse(answer.body).code, 'dpop_proof_invalid');
        }
      }
    });

    test('a forged Host changes nothing: a proof for the bank’s configured origin still charges', async () => {
      const { privateKey, publicKey } = operator.dpopKeys;
      const answer = await chargeWithProof(await handMadeProof(privateKey, await exportJWK(publicKey), access_token, `${fixture.url}/v1/charges`));
      assert.equal(answer.status, 201, answer.body);
    });

    test('the discovery document names the configured origin whatever Host, forwarding headers or request target the request carries', async () => {
      const honest = JSON.parse((await rawHttp(fixture.url, { target: '/oidc/.well-known/openid-configuration', headers: { host: new URL(fixture.url).host } })).body);
      for (const target of ['/oidc/.well-known/openid-configuration', 'http://evil.example/oidc/.well-known/openid-configuration']) {
        const answer = await rawHttp(fixture.url, { target, headers: FORGED_ORIGIN });
        assert.equal(answer.status, 200);
        const discovery = JSON.parse(answer.body);
        assert.deepEqual(discovery, honest, target);
        const urls = Object.values(discovery).filter((value): value is string => typeof value === 'string' && /^[a-z]+:\/\//.test(value));
        assert.ok(urls.length >= 5, 'issuer, jwks_uri and the endpoints are listed');
        for (const url of urls) assert.ok(url.startsWith(`${fixture.url}/oidc`), url);
      }
    });

    test('at the authorization server a client assertion and a DPoP proof made for another origin are refused under a forged Host', async () => {
      const client_id = operator.operator.client_id;
      const assertion = (aud: string) => new SignJWT({ jti: randomUUID() }).setProtectedHeader({ alg: 'ES256' })
        .setIssuer(client_id).setSubject(client_id).setAudience(aud).setIssuedAt().setExpirationTime('60s').sign(operator.privateKey);
      const par = async (aud: string, extra: Record<string, string> = {}) => rawHttp(fixture.url, {
        method: 'POST', target: '/oidc/request', headers: { ...FORGED_ORIGIN, 'content-type': 'application/x-www-form-urlencoded', ...extra },
        body: new URLSearchParams({
          client_id, response_type: 'code', redirect_uri: operator.redirect_uri, scope: 'openid charges', code_challenge: 'a'.repeat(43), code_challenge_method: 'S256',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await assertion(aud),
        }).toString(),
      });
      for (const aud of ['https://evil.example/oidc', 'https://evil.example/oidc/request', 'https://evil.example/oidc/token']) {
        const refused = await par(aud);
        assert.equal(refused.status, 401, aud);
        assert.equal(JSON.parse(refused.body).error, 'invalid_client');
      }
      assert.equal((await par(`${fixture.url}/oidc`)).status, 201, 'the same request with the bank’s own audience is accepted');
      const { privateKey, publicKey } = operator.dpopKeys;
      const jwk = await exportJWK(publicKey);
      const proof = (htu: string) => new SignJWT({ htm: 'POST', htu, jti: randomUUID() }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: jwk as never }).setIssuedAt().sign(privateKey);
      const wrongOrigin = await par(`${fixture.url}/oidc`, { dpop: await proof('https://evil.example/oidc/request') });
      assert.equal(wrongOrigin.status, 400);
      assert.equal(JSON.parse(wrongOrigin.body).error, 'invalid_dpop_proof');
      assert.equal((await par(`${fixture.url}/oidc`, { dpop: await proof(`${fixture.url}/oidc/request`) })).status, 201);
    });

    test('after the operator revokes the link, its token charges nothing', async () => {
      await fixture.bank.services.links.revoke(operator.operator.id, link_id, 'test');
      const response = await operator.charge(access_token, { amount_yen: 100 });
      assert.equal(response.status, 403);
      assert.equal((await response.json()).code, 'link_revoked');
    });

    test('a customer with a passkey signs in and consents with it, and the link records the passkey', async () => {
      const passkey = createSoftwareAuthenticator({ origin: fixture.url, rp_id: '127.0.0.1' });
      const { secondFactors, passkeys } = fixture.bank.services;
      const bound_to = 'session:fapi-test';
      const options = await passkeys.registrationOptions(fixture.customer.id, bound_to);
      fixture.clock.advance(30_000);
      const enrolled = await secondFactors.enrolPasskey(fixture.customer.id, { response: JSON.stringify(passkey.register(options)), name: 'Phone', bound_to },
        { factor: 'totp', code: await totpNow(fixture, totp) });
      assert.ok(enrolled.ok, JSON.stringify(enrolled));
      // Dated back past its cooling-off (src/mfa/factor-policy.ts), as a passkey registered the day before: a new one approves no link.
      await fixture.db.query(`UPDATE passkeys SET created_at = created_at - $2::interval WHERE customer_id = $1`,
        [fixture.customer.id, `${NEW_FACTOR_COOLING_OFF_MS + 60_000} milliseconds`]);
      const { url, code_verifier } = await operator.startLink(await operator.attest(HANAKO));
      const walked = await walkConsent(fixture, url, { totp_secret: totp, passkey });
      fixture.clock.advance(30_000);
      assert.ok(walked.callback?.searchParams.get('code'), `linked with the passkey (status ${walked.status}): ${walked.page.slice(0, 300)}`);
      const tokens = await operator.exchange(walked.callback!, code_verifier);
      // The new link's first charge may wait for a step-up (201 or 202); either way it names the link.
      const charged = await operator.charge(tokens.access_token, { amount_yen: 1000 });
      assert.ok([201, 202].includes(charged.status), String(charged.status));
      const [stored] = await fixture.db.query<{ approved_with_factor: string }>(`SELECT approved_with_factor FROM links WHERE id = $1`, [(await charged.json()).link_id]);
      assert.equal(stored?.approved_with_factor, 'passkey');
    });
  });
}
