import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { charge, createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { staffGet, staffPost, staffSession, type StaffSession } from '../testing/staff-session.ts';
import { createFapiOperator } from '../testing/fapi-operator.ts';
import { enrolTotp, walkConsent } from '../testing/consent-walk.ts';

const ATTACKER = { ip: '203.0.113.9', device_id: 'dev-attacker-1' };
const HANAKO = { name_kana: 'ﾔﾏﾀﾞ ﾊﾅｺ', birth_date: '1948-03-15', phone: '+81 90 1111 2222' };

/** The section of a page from the element with this id to the next heading. */
function section(page: string, id: string): string {
  const start = page.indexOf(`id="${id}"`);
  assert.ok(start >= 0, `the page has #${id}`);
  const end = page.indexOf('<h2>', start);
  return page.slice(start, end < 0 ? undefined : end);
}

for (const backend of testBackends) {
  describe(`the facts of a case in the console on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    let viewer: StaffSession;
    let analyst: StaffSession;

    before(async () => {
      fixture = await createBankFixture(backend, { waiting_charge_jobs: false, listen: true });
    });
    after(() => fixture?.close());

    /** Fresh staff sessions: the tests move the clock past a session's idle limit. */
    async function signIn() {
      viewer = await staffSession(fixture, 'viewer');
      analyst = await staffSession(fixture, 'analyst');
    }

    /** An elderly customer whose PIN an attacker got right on the second try, then linked from their own device and IP. */
    async function stolenLink() {
      const { core } = fixture.bank.services;
      const person = await core.openCustomer({
        name_kanji: '被害 花子', name_kana: 'ヒガイ ハナコ', birth_date: '1947-05-01', phone: '080-7100-0001', email: 'higai@example.jp', address: '宮城県', login_id: 'higai', password: 'correct horse battery',
      });
      const account = await core.openAccount({ customer_id: person.id, branch_code: '003', account_number: '3100001', pin: '2468' });
      await core.deposit(account.id, 900_000, '年金');
      const fields = { branch_code: '003', account_number: '3100001', pin: '2468', name_kana: 'ヒガイ ハナコ', birth_date: '1947-05-01' };
      const honest = await legacyLink(fixture, fields, { ip: '198.51.100.20', device_id: 'dev-own-phone' });
      assert.equal(honest.response.statusCode, 201, honest.response.body);
      fixture.clock.advance(60 * 60_000);
      assert.equal((await legacyLink(fixture, { ...fields, pin: '0000' }, ATTACKER)).response.statusCode, 422);
      const stolen = await legacyLink(fixture, fields, ATTACKER);
      assert.equal(stolen.response.statusCode, 201, stolen.response.body);
      return { customer_id: person.id, honest_link_id: honest.body.link.id, link_id: stolen.body.link.id, link_token: stolen.body.link_token };
    }

    /** The customer clicks "not me" in the link notice: the bank's own flow opens the dispute case. */
    async function reportNotMe(customer_id: string, link_id: string): Promise<string> {
      const [notice] = await fixture.db.query<{ id: string; created_at: Date }>(
        `SELECT id, created_at FROM notification_outbox WHERE customer_id = $1 AND template = 'link_created' AND data->>'link_id' = $2`, [customer_id, link_id]);
      assert.ok(notice, 'the link wrote its notice');
      const outcome = await fixture.bank.services.notMe.report(await fixture.bank.services.notMeTokens.sign(notice));
      assert.ok(outcome.ok);
      const [report] = await fixture.db.query<{ case_id: string }>(`SELECT case_id FROM not_me_reports WHERE link_id = $1`, [link_id]);
      assert.ok(report?.case_id);
      return report.case_id;
    }

    test('a dispute shows the legacy link with no KYC, where it came from, its held and refused charges, the other link and a timeline in order; a viewer may not act on it', async () => {
      const stolen = await stolenLink();
      await signIn();
      fixture.clock.advance(5 * 60_000);
      const first = await charge(fixture, stolen.link_token, { amount_yen: 100_000 }, 'facts-1');
      assert.equal(first.json().status, 'held', first.body);
      fixture.clock.advance(60_000);
      const second = await charge(fixture, stolen.link_token, { amount_yen: 100_000 }, 'facts-2');
      assert.equal(second.json().status, 'held', second.body);
      fixture.clock.advance(60_000);
      assert.equal((await staffPost(fixture, analyst, `/staff/charges/${first.json().id}/decline`)).statusCode, 303);
      fixture.clock.advance(60_000);
      const case_id = await reportNotMe(stolen.customer_id, stolen.link_id);

      const page = await staffGet(fixture, viewer, `/staff/cases/${case_id}`);
      assert.equal(page.statusCode, 200);
      const body = page.body;

      const link = section(body, 'case-link');
      assert.match(link, new RegExp(`data-link="${stolen.link_id}"`));
      assert.match(link, /data-link-method="legacy_pin"/);
      assert.match(link, /data-link-status="frozen"/, 'the report froze the link');
      assert.match(section(body, 'case-kyc'), /data-not-recorded[\s\S]*legacy path carries no KYC/);
      assert.match(section(body, 'case-identity-match'), /data-not-recorded/);

      const source = section(body, 'case-source');
      assert.match(source, /203\.0\.113\.9/);
      assert.match(source, /dev-attacker-1/);
      assert.match(source, /2 links from this IP in 24 h|links from this IP in 24 h/);

      const charges = section(body, 'case-charges');
      assert.match(charges, new RegExp(`data-charge="${first.json().id}" data-status="declined"`));
      assert.match(charges, new RegExp(`data-charge="${second.json().id}" data-status="held"`));
      assert.match(charges, /¥100,000/);
      assert.match(charges, /data-decision="hold"/);
      for (const reason of second.json().risk?.reasons ?? (await fixture.db.query<{ risk_reasons: string[] }>(`SELECT risk_reasons FROM charges WHERE id = $1`, [second.json().id]))[0]!.risk_reasons) {
        assert.match(charges, new RegExp(`<span class="code">${reason}</span>`), `rule ${reason} is shown`);
      }
      assert.match(charges, /<code>127\.0\.0\.1<\/code><br><code><span class="muted" data-not-recorded>/, 'each charge carries its own source: the operator\'s server, which relayed no device');
      assert.match(charges, /declined<\/span><div class="since">[^<]+ by analyst 担当/, 'who declined it, by name');
      assert.doesNotMatch(body, /data-action="decline"|data-action="release"|data-action="resolve-fraud"/, 'a viewer reads, and acts on nothing');
      assert.match((await staffGet(fixture, analyst, `/staff/cases/${case_id}`)).body, new RegExp(`data-charge="${second.json().id}" data-status="held"[\\s\\S]*?data-action="decline"`));

      const others = section(body, 'case-other-links');
      assert.match(others, new RegExp(`data-other-link="${stolen.honest_link_id}"`));
      assert.match(others, new RegExp(`href="/staff/customers/${stolen.customer_id}#link-${stolen.honest_link_id}"`));
      assert.doesNotMatch(others, new RegExp(`data-other-link="${stolen.link_id}"`), 'the disputed link is not "other"');
      assert.match((await staffGet(fixture, viewer, `/staff/customers/${stolen.customer_id}`)).body, new RegExp(`id="link-${stolen.honest_link_id}"`), 'the anchor exists');

      const timeline = section(body, 'case-timeline');
      const kinds = [...timeline.matchAll(/data-event="([a-z-]+)"/g)].map((match) => match[1]);
      assert.deepEqual(kinds.filter((kind) => ['link', 'charge', 'not-me'].includes(kind!)), ['link', 'charge', 'charge', 'not-me'], 'link, then the charges, then the report');
      assert.ok(kinds.includes('notice'), 'the link notice is on the timeline');
      assert.ok(kinds.indexOf('notice') < kinds.indexOf('not-me'), 'the notice came before the report it carried');
      const times = [...timeline.matchAll(/<td class="nowrap">([^<]+)<\/td>/g)].map((match) => match[1]!);
      assert.deepEqual(times, [...times].sort(), 'in time order');
    });

    test('a case on a FAPI link shows its second factor, the KYC level and method and the identity match with its reasons', async () => {
      const totp = await enrolTotp(fixture);
      const operator = await createFapiOperator({ bank_url: fixture.url, operators: fixture.bank.services.operators, now: () => fixture.clock.now() });
      const { url, code_verifier } = await operator.startLink(await operator.attest({ ...HANAKO, phone: '+81 90 9999 0000' }));
      const walked = await walkConsent(fixture, url, { totp_secret: totp, consent_factor: 'totp' });
      fixture.clock.advance(30_000);
      assert.ok(walked.callback, walked.page.slice(0, 300));
      const tokens = await operator.exchange(walked.callback, code_verifier);
      const charged = await operator.charge(tokens.access_token, { amount_yen: 3000 });
      assert.equal(charged.status, 201, await charged.clone().text());
      const { link_id } = await charged.json() as { link_id: string };
      await signIn();
      const case_id = await fixture.db.transaction((tx) => fixture.bank.services.cases.openCase(tx, {
        kind: 'fraud_review', opened_by: `staff:${analyst.id}`, summary: 'check the FAPI link', customer_id: fixture.customer.id, link_id }));

      const page = await staffGet(fixture, viewer, `/staff/cases/${case_id}`);
      assert.equal(page.statusCode, 200, page.body.slice(0, 500));
      const body = page.body;
      assert.match(section(body, 'case-link-method'), /data-link-method="fapi2"[\s\S]*<span class="code">totp<\/span>/);
      assert.match(section(body, 'case-kyc'), /data-kyc-level="ekyc_document_face"/);
      const [stored] = await fixture.db.query<{ score: number; reasons: string[]; method: string }>(
        `SELECT identity_match_score AS score, identity_match_reasons AS reasons, kyc_attestation #>> '{kyc,method}' AS method FROM links WHERE id = $1`, [link_id]);
      assert.match(section(body, 'case-kyc'), new RegExp(`<span class="code">${stored!.method}</span> · verified \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d JST`));
      const match = section(body, 'case-identity-match');
      assert.match(match, new RegExp(`data-identity-score="${stored!.score}"`));
      assert.ok(stored!.reasons.length > 0);
      for (const reason of stored!.reasons) assert.match(match, new RegExp(`<span class="code">${reason}</span>`));
      assert.match(section(body, 'case-charges'), /¥3,000/);
    });

    test('a case with no link or customer says what is not recorded instead of hiding the sections', async () => {
      await signIn();
      const case_id = await fixture.db.transaction((tx) => fixture.bank.services.cases.openCase(tx, { kind: 'fraud_review', opened_by: 'system', summary: 'an operator-wide pattern' }));
      const body = (await staffGet(fixture, viewer, `/staff/cases/${case_id}`)).body;
      assert.match(section(body, 'case-link'), /data-not-recorded/);
      assert.match(section(body, 'case-charges'), /No charge was attempted/);
      assert.match(section(body, 'case-other-links'), /data-not-recorded/);
      assert.match(section(body, 'case-timeline'), /data-event="case"/);
    });
  });
}
