import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { createFapiOperator, type FapiOperator } from '../testing/fapi-operator.ts';
import { enrolTotp, totpNow, walkConsent } from '../testing/consent-walk.ts';
import { formValue } from '../testing/cookie-agent.ts';
import { TOTP_STEP_MS } from '../testing/totp-enrolment.ts';
import { CONSENT_TTL_SECONDS } from './create-authorization-server.ts';
import { insertConsentedLinkRow } from '../testing/consented-link-row.ts';

const HANAKO = { name_kana: 'ﾔﾏﾀﾞ ﾊﾅｺ', birth_date: '1948-03-15', phone: '+81 90 1111 2222' };
const WALLET_USER = 'wallet-user-hanako';

type OAuthError = { error?: string; error_description?: string };

interface LinkRow {
  id: string;
  status: string;
  consent_expires_at: Date;
  grant_id: string;
  charge_yen_max: number;
  consent_renewed_at: Date | null;
}

for (const backend of testBackends) {
  describe(`renewing a FAPI consent on the same link on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let operator: FapiOperator;
    let totp: string;

    before(async () => {
      fixture = await createBankFixture(backend, { listen: true, waiting_charge_jobs: false, notice_polling: false });
      totp = await enrolTotp(fixture);
      operator = await createFapiOperator({ bank_url: fixture.url, operators: fixture.bank.services.operators, now: () => fixture.clock.now() });
      await fixture.bank.services.webhooks.register(operator.operator.id, 'http://127.0.0.1:9/hooks');
    });
    after(() => fixture?.close());

    /** PAR (a renewal when `link_id` is given), the customer at the bank, and the code exchanged for tokens. */
    async function authorize(extra: Record<string, string> = {}, sub = WALLET_USER) {
      const { url, code_verifier } = await operator.startLink(await operator.attest(HANAKO, undefined, sub), extra);
      const walked = await walkConsent(fixture, url, { totp_secret: totp });
      fixture.clock.advance(30_000);
      assert.ok(walked.callback, `the bank sent the browser back (status ${walked.status}): ${walked.page.slice(0, 300)}`);
      return { callback: walked.callback, tokens: walked.callback.searchParams.has('code') ? await operator.exchange(walked.callback, code_verifier) : undefined };
    }

    async function newLink() {
      const { tokens } = await authorize();
      const response = await operator.charge(tokens!.access_token, { amount_yen: 1_000 });
      // Several new links on one account from one address: the risk rules may hold this first charge; it is on the link either way.
      assert.ok([201, 202].includes(response.status), await response.clone().text());
      return { link_id: (await response.json()).link_id as string, tokens: tokens! };
    }

    const readLink = async (id: string) => (await fixture.db.query<LinkRow>(
      `SELECT id, status, consent_expires_at, grant_id, charge_yen_max, consent_renewed_at FROM links WHERE id = $1`, [id]))[0]!;
    const linkCount = async () => Number((await fixture.db.query<{ n: string }>(`SELECT count(*) AS n FROM links`))[0]!.n);
    const chargesOf = async (link_id: string) => (await fixture.db.query<{ id: string }>(`SELECT id FROM charges WHERE link_id = $1 ORDER BY id`, [link_id])).map((row) => row.id);

    test('renewal before expiry extends the same link by 180 days, keeps its charges and limits, makes no second link, and tells the customer and the operator', async () => {
      const { link_id, tokens: first } = await newLink();
      const before = await readLink(link_id);
      const charges = await chargesOf(link_id);
      const links = await linkCount();
      fixture.clock.advance(100 * 24 * 60 * 60 * 1000);

      const { tokens } = await authorize({ link_id });
      const approved_at = fixture.clock.now().getTime() - 30_000;
      const after = await readLink(link_id);
      assert.equal(await linkCount(), links, 'no second link');
      assert.equal(after.status, 'active');
      assert.equal(after.charge_yen_max, before.charge_yen_max);
      assert.equal(after.consent_expires_at.getTime(), approved_at + CONSENT_TTL_SECONDS * 1000);
      assert.ok(after.consent_expires_at > before.consent_expires_at);
      assert.notEqual(after.grant_id, before.grant_id, 'the renewal is a new grant');
      assert.deepEqual(await chargesOf(link_id), charges, 'its charges stay');

      const response = await operator.charge(tokens!.access_token, { amount_yen: 2_000 });
      assert.equal(response.status, 201, await response.clone().text());
      assert.equal((await response.json()).link_id, link_id, 'the new tokens charge the same link');
      await assert.rejects(client.refreshTokenGrant(operator.config, first.refresh_token!, undefined, { DPoP: operator.dpop }),
        (error: OAuthError) => error.error === 'invalid_grant', 'the old approval\'s refresh token is dead');

      const notices = await fixture.db.query<{ channel: string; data: { link_id: string; operator_name: string } }>(
        `SELECT channel, data FROM notification_outbox WHERE template = 'consent_renewed' AND data->>'link_id' = $1 ORDER BY channel`, [link_id]);
      assert.deepEqual(notices.map((notice) => notice.channel), ['email', 'sms']);
      const [event] = await fixture.db.query<{ body: string }>(`SELECT body FROM webhook_deliveries WHERE event_type = 'link.consent_renewed'`);
      assert.deepEqual(JSON.parse(event!.body).data, { link: { id: link_id, consent_expires_at: after.consent_expires_at.toISOString() } });
    });

    test('a charge on an expired link is refused consent_expired, and succeeds after the customer renews it', async () => {
      const { link_id, tokens } = await newLink();
      // The 180 days have passed (the provider's own tokens run on real time, so the consent's end is moved instead).
      await fixture.db.query(`UPDATE links SET consent_expires_at = $2 WHERE id = $1`, [link_id, new Date(fixture.clock.now().getTime() - 60_000)]);
      const refused = await operator.charge(tokens.access_token, { amount_yen: 500 });
      assert.equal(refused.status, 403);
      assert.equal((await refused.json()).code, 'consent_expired');

      const renewed = await authorize({ link_id });
      const response = await operator.charge(renewed.tokens!.access_token, { amount_yen: 500 });
      assert.equal(response.status, 201, await response.clone().text());
      assert.equal((await response.json()).link_id, link_id);
    });

    test('renewing a revoked link is refused at PAR with link_revoked, and if revoked after PAR, when the customer arrives; the link stays revoked', async () => {
      const { link_id } = await newLink();
      const { url } = await operator.startLink(await operator.attest(HANAKO, undefined, WALLET_USER), { link_id });
      await fixture.bank.services.links.revoke(operator.operator.id, link_id, 'test');
      const revoked = await readLink(link_id);
      // The authorization endpoint checks the pushed request's link_id again, before the customer is asked to sign in.
      const walked = await walkConsent(fixture, url, { totp_secret: totp });
      assert.equal(walked.callback?.searchParams.get('error'), 'invalid_request');
      assert.match(walked.callback?.searchParams.get('error_description') ?? '', /^link_revoked:/);
      await assert.rejects(operator.startLink(await operator.attest(HANAKO, undefined, WALLET_USER), { link_id }),
        (error: OAuthError) => error.error === 'invalid_request' && /^link_revoked:/.test(error.error_description ?? ''));
      assert.deepEqual(await readLink(link_id), revoked, 'nothing changed');
    });

    test('a link revoked while the customer is on the renewal page is refused at approval with link_revoked and stays revoked', async () => {
      const { link_id } = await newLink();
      const { url } = await operator.startLink(await operator.attest(HANAKO, undefined, WALLET_USER), { link_id });
      const walked = await walkConsent(fixture, url, { totp_secret: totp, decision: 'none' });
      assert.match(walked.page, /data-renewal="true"/, 'the page says it renews');
      assert.match(walked.page, /口座連携の更新/);
      assert.match(walked.page, /id="deny-button"[^>]*>更新しない</, 'declining keeps the link as it is, and says so');
      await fixture.bank.services.links.revoke(operator.operator.id, link_id, 'test');
      const revoked = await readLink(link_id);
      fixture.clock.advance(TOTP_STEP_MS);
      const response = await walked.agent.post(`${fixture.url}/interaction/${walked.uid}/consent`, {
        csrf: formValue(walked.page, 'csrf'), decision: 'approve', account_id: fixture.customer.account_id, factor: 'totp', code: await totpNow(fixture, totp),
      });
      assert.equal(response.status, 303);
      const { url: callback } = await walked.agent.follow(new URL(response.headers.get('location')!, fixture.url), (at) => at.origin !== new URL(fixture.url).origin);
      assert.equal(callback.searchParams.get('error'), 'access_denied');
      assert.match(callback.searchParams.get('error_description') ?? '', /^link_revoked:/);
      assert.deepEqual(await readLink(link_id), revoked);
    });

    test("another operator's link is refused at PAR with link_not_found, as an unknown one is", async () => {
      const { link_id } = await newLink();
      const other = await createFapiOperator({ bank_url: fixture.url, operators: fixture.bank.services.operators, display_name: 'Other Pay', passbook_label: 'アザー', now: () => fixture.clock.now() });
      for (const id of [link_id, randomUUID()]) {
        await assert.rejects(other.startLink(await other.attest(HANAKO), { link_id: id }),
          (error: OAuthError) => error.error === 'invalid_request' && /^link_not_found:/.test(error.error_description ?? ''));
      }
      await assert.rejects(operator.startLink(await operator.attest(HANAKO), { link_id: 'not-a-link' }),
        (error: OAuthError) => error.error === 'invalid_request' && /link_id/.test(error.error_description ?? ''));
    });

    test("another customer's link is refused after sign-in with link_not_found and changes nothing", async () => {
      const { core } = fixture.bank.services;
      const taro = await core.openCustomer({
        name_kanji: '佐藤 太郎', name_kana: 'サトウ タロウ', birth_date: '1960-01-01', phone: '090-3333-4444',
        email: 'taro@example.jp', address: '東京都', login_id: `taro-${randomUUID()}`, password: 'another long password',
      });
      const account = await core.openAccount({ customer_id: taro.id, branch_code: '002', account_number: '7654321', pin: '9876' });
      const ends = new Date(fixture.clock.now().getTime() + 24 * 60 * 60 * 1000);
      const link_id = await insertConsentedLinkRow(fixture.db, { operator_id: operator.operator.id, account_id: account.id, created_at: fixture.clock.now(), consent_expires_at: ends });
      const before = await readLink(link_id);
      const links = await linkCount();
      const { callback } = await authorize({ link_id });
      assert.equal(callback.searchParams.get('error'), 'access_denied');
      assert.match(callback.searchParams.get('error_description') ?? '', /^link_not_found:/);
      assert.deepEqual(await readLink(link_id), before);
      assert.equal(await linkCount(), links);
    });

    test('a renewal for another wallet user at the same operator is refused with identity_mismatch and changes nothing', async () => {
      const { link_id } = await newLink();
      const before = await readLink(link_id);
      const { callback } = await authorize({ link_id }, 'wallet-user-someone-else');
      assert.equal(callback.searchParams.get('error'), 'access_denied');
      assert.match(callback.searchParams.get('error_description') ?? '', /^identity_mismatch:/);
      assert.deepEqual(await readLink(link_id), before);
    });

    test('a legacy PIN link cannot be renewed: link_not_renewable at PAR', async () => {
      const link_id = await insertConsentedLinkRow(fixture.db, {
        operator_id: operator.operator.id, account_id: fixture.customer.account_id, created_at: fixture.clock.now(), consent_expires_at: null, method: 'legacy_pin',
      });
      await assert.rejects(operator.startLink(await operator.attest(HANAKO), { link_id }),
        (error: OAuthError) => error.error === 'invalid_request' && /^link_not_renewable:/.test(error.error_description ?? ''));
    });
  });
}
