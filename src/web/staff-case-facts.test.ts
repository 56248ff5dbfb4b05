import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { charge, createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { ATTACKER_SOURCE, disputedLink } from '../testing/disputed-link.ts';
import { staffGet, staffPost, staffSession, type StaffSession } from '../testing/staff-session.ts';
import { createFapiOperator } from '../testing/fapi-operator.ts';
import { enrolTotp, walkConsent } from '../testing/consent-walk.ts';

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

    test('a dispute shows the legacy link with no KYC, where it came from, its held and refused charges, the other link and a timeline in order; a viewer may not act on it', async () => {
      const stolen = await disputedLink(fixture);
      await signIn();
      const [declined, held] = stolen.held_charge_ids;
      assert.equal((await staffPost(fixture, analyst, `/staff/charges/${declined}/decline`)).statusCode, 303);
      const case_id = stolen.case_id;

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
      assert.match(source, new RegExp(ATTACKER_SOURCE.ip.replaceAll('.', '\\.')));
      assert.match(source, new RegExp(ATTACKER_SOURCE.device_id));
      assert.match(source, /1 link from this IP in 24 h · 1 link from this device in 24 h · 1 account on this device in 30 days/, 'the counts around the link, this one included');

      const charges = section(body, 'case-charges');
      assert.match(charges, new RegExp(`data-charge="${declined}" data-status="declined"`));
      assert.match(charges, new RegExp(`data-charge="${held}" data-status="held"`));
      assert.match(charges, /¥100,000/);
      assert.match(charges, /data-decision="hold"/);
      const [{ risk_reasons }] = await fixture.db.query<{ risk_reasons: string[] }>(`SELECT risk_reasons FROM charges WHERE id = $1`, [held]) as [{ risk_reasons: string[] }];
      assert.ok(risk_reasons.length > 0);
      for (const reason of risk_reasons) {
        assert.match(charges, new RegExp(`<span class="code">${reason}</span>`), `rule ${reason} is shown`);
      }
      assert.match(charges, /<code>127\.0\.0\.1<\/code><br><span class="muted" data-not-recorded>/, 'each charge carries its own source: the operator\'s server, which relayed no device');
      assert.match(charges, /declined<\/span><div class="since">[^<]+ by analyst 担当/, 'who declined it, by name');
      assert.doesNotMatch(body, /data-action="decline"|data-action="release"|data-action="resolve-fraud"/, 'a viewer reads, and acts on nothing');
      assert.match((await staffGet(fixture, analyst, `/staff/cases/${case_id}`)).body, new RegExp(`data-charge="${held}" data-status="held"[\\s\\S]*?data-action="decline"`));

      const others = section(body, 'case-other-links');
      assert.match(others, new RegExp(`data-other-link="${stolen.honest_link_id}"`));
      assert.match(others, new RegExp(`href="/staff/customers/${stolen.customer_id}#link-${stolen.honest_link_id}"`));
      assert.doesNotMatch(others, new RegExp(`data-other-link="${stolen.link_id}"`), 'the disputed link is not "other"');
      assert.match((await staffGet(fixture, viewer, `/staff/customers/${stolen.customer_id}`)).body, new RegExp(`id="link-${stolen.honest_link_id}"`), 'the anchor exists');

      const timeline = section(body, 'case-timeline');
      const kinds = [...timeline.matchAll(/data-event="([a-z-]+)"/g)].map((match) => match[1]);
      assert.deepEqual(kinds.filter((kind) => ['link', 'charge', 'not-me'].includes(kind!)), ['link', 'charge', 'charge', 'not-me'], 'link, then the charges, then the report');
      assert.ok(kinds.includes('notice'), 'the link notice is on the timeline');
      assert.deepEqual(kinds.filter((kind) => kind!.startsWith('pin-')), ['pin-ok', 'pin-failed', 'pin-ok'], 'the honest link, the attacker\'s wrong PIN, then their right one');
      assert.match(timeline, new RegExp(`data-event="pin-failed"[^]*?${ATTACKER_SOURCE.ip.replaceAll('.', '\\.')}[^]*?${ATTACKER_SOURCE.device_id}`));
      assert.ok(kinds.lastIndexOf('pin-ok') < kinds.lastIndexOf('link'), 'the PIN was tried before the link was made');
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
      // The wallet's phone is not Hanako's: its first payment waits for her approval (unmatched-wallet-phone@1).
      assert.equal(charged.status, 202, await charged.clone().text());
      const { link_id, status } = await charged.json() as { link_id: string; status: string };
      assert.equal(status, 'pending_approval');
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

    test('attempts the risk step refused outright (no charge written) are listed as refused, with the rule that refused them', async () => {
      const { link_token, link } = (await legacyLink(fixture)).body;
      const statuses: string[] = [];
      // The link velocity cap refuses the 61st charge within the hour (src/risk/default-risk-config.ts).
      for (let attempt = 1; attempt <= 63; attempt += 1) {
        const response = await charge(fixture, link_token, { amount_yen: 100 }, `burst-${attempt}`);
        statuses.push(response.statusCode < 300 ? response.json().status : response.json().code);
      }
      const refused = statuses.filter((status) => status === 'charge_denied');
      assert.deepEqual(new Set(statuses), new Set(['succeeded', 'pending_approval', 'charge_denied']), statuses.join(','));
      const denied = await fixture.db.query<{ id: string }>(
        `SELECT coalesce(charge_id, id) AS id FROM risk_decisions WHERE link_id = $1 AND stage = 'charge' AND action = 'deny' AND enforced`, [link.id]);
      assert.equal(denied.length, refused.length, `one decision per refused attempt: ${statuses.join(',')}`);
      await signIn();
      const case_id = await fixture.db.transaction((tx) => fixture.bank.services.cases.openCase(tx, {
        kind: 'fraud_review', opened_by: `staff:${analyst.id}`, summary: 'a burst through one link', customer_id: fixture.customer.id, link_id: link.id }));
      const charges = section((await staffGet(fixture, viewer, `/staff/cases/${case_id}`)).body, 'case-charges');
      for (const { id } of denied) assert.match(charges, new RegExp(`data-charge="${id}" data-status="denied"[\\s\\S]*?data-decision="deny"[\\s\\S]*?link_velocity_over_cap`));
      assert.equal(charges.match(/<tr data-charge=/g)?.length, 63, 'every attempt, whatever became of it');
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
