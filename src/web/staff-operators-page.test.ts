import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Response as InjectResponse } from 'light-my-request';
import { raceTest, testBackends, type TestBackend } from '../testing/test-databases.ts';
import { charge, createBankFixture, legacyLink, type BankFixture } from '../testing/bank-fixture.ts';
import { FORM_HEADERS, formBody, formToken, staffGet, staffPost, staffSession } from '../testing/staff-session.ts';
import { SWITCH_REASON_CHARS_MAX } from './staff-operators-page.ts';

async function withFixture(backend: TestBackend, run: (fixture: BankFixture) => Promise<void>) {
  const fixture = await createBankFixture(backend);
  try {
    await run(fixture);
  } finally {
    await fixture.close();
  }
}

const switches = async (fixture: BankFixture) => {
  const operator = (await fixture.bank.services.operators.get(fixture.operator.id))!;
  return { new_links_suspended: operator.new_links_suspended, charges_suspended: operator.charges_suspended };
};

const flipUrl = (fixture: BankFixture) => `/staff/operators/${fixture.operator.id}/switches`;

for (const backend of testBackends) {
  describe(`the operators page and its kill switches on ${backend.name}`, { skip: backend.skip }, () => {
    test('a viewer’s switch flip is refused with 403 staff_role_insufficient, nothing changes and nothing is audited; so is an analyst’s', async () => {
      await withFixture(backend, async (fixture) => {
        const viewer = await staffSession(fixture, 'viewer');
        const analyst = await staffSession(fixture, 'analyst');
        const page = await staffGet(fixture, viewer, '/staff/operators');
        assert.equal(page.statusCode, 200);
        assert.doesNotMatch(page.body, /data-action="new_links_suspended"/, 'a viewer gets no switch buttons');
        assert.match(page.body, /Only an admin can flip this/);
        const before = await fixture.snapshot();
        for (const who of [viewer, analyst]) {
          for (const name of ['new_links_suspended', 'charges_suspended']) {
            const refused = await staffPost(fixture, who, flipUrl(fixture), { name, on: 'true', reason: '不正出金の疑い' });
            assert.equal(refused.statusCode, 403);
            assert.match(refused.body, /data-code="staff_role_insufficient"/);
          }
        }
        await fixture.assertNothingWritten(before);
        assert.deepEqual(await switches(fixture), { new_links_suspended: false, charges_suspended: false });
        assert.equal((await legacyLink(fixture)).response.statusCode, 201, 'links still open');
      });
    });

    test('an admin suspends new links with a reason: a new link is refused at once while an existing link still charges, and the flip is audited with who, when and why', async () => {
      await withFixture(backend, async (fixture) => {
        const existing = await legacyLink(fixture);
        assert.equal(existing.response.statusCode, 201);
        const admin = await staffSession(fixture, 'admin');
        const page = await staffGet(fixture, admin, '/staff/operators');
        assert.match(page.body, /data-action="new_links_suspended"/);
        const reason = 'ドコモ口座経由の不正出金 — halt new links (Docomo, Sep 2020)';
        const flipped = await staffPost(fixture, admin, flipUrl(fixture), { name: 'new_links_suspended', on: 'true', reason: `  ${reason} ` });
        assert.equal(flipped.statusCode, 303);
        assert.equal(flipped.headers.location, `/staff/operators#op-${fixture.operator.id}`);
        assert.deepEqual(await switches(fixture), { new_links_suspended: true, charges_suspended: false });

        const refused = await legacyLink(fixture);
        assert.equal(refused.response.statusCode, 403);
        assert.equal(refused.body.code, 'new_links_suspended');
        assert.equal((await charge(fixture, existing.body.link_token, { amount_yen: 5000 }, 'after-flip-1')).statusCode < 300, true);

        const [entry] = await fixture.bank.services.audit.list();
        assert.ok(entry);
        assert.deepEqual([entry.staff_id, entry.action, entry.subject, entry.reason, entry.at.toISOString()],
          [admin.id, 'operator.switch', fixture.operator.id, reason, fixture.clock.now().toISOString()]);
        assert.deepEqual(entry.details, { switch: 'new_links_suspended', on: true, was: false });

        const after = await staffGet(fixture, admin, '/staff/operators');
        assert.match(after.body, /data-switch="new_links_suspended" data-on="true"/);
        assert.match(after.body, /data-switch="charges_suspended" data-on="false"/);
        assert.ok(after.body.includes('ドコモ口座経由の不正出金'), 'the page shows why');

        assert.equal((await staffPost(fixture, admin, flipUrl(fixture), { name: 'new_links_suspended', on: 'false', reason: 'operator added eKYC' })).statusCode, 303);
        assert.equal((await legacyLink(fixture)).response.statusCode, 201);
        assert.deepEqual((await fixture.bank.services.audit.list()).map((e) => e.details), [
          { switch: 'new_links_suspended', on: false, was: true }, { switch: 'new_links_suspended', on: true, was: false }]);
        assert.equal((await fixture.bank.services.audit.verify()).ok, true);
      });
    });

    test(`a flip needs a reason of 1 to ${SWITCH_REASON_CHARS_MAX} characters: none, blanks or one too many are refused with 422 and change nothing; exactly ${SWITCH_REASON_CHARS_MAX} passes`, async () => {
      await withFixture(backend, async (fixture) => {
        const admin = await staffSession(fixture, 'admin');
        const before = await fixture.snapshot();
        for (const reason of [undefined, '', '   ', 'x'.repeat(SWITCH_REASON_CHARS_MAX + 1)]) {
          const refused = await staffPost(fixture, admin, flipUrl(fixture), { name: 'charges_suspended', on: 'true', ...(reason === undefined ? {} : { reason }) });
          assert.equal(refused.statusCode, 422, `reason ${JSON.stringify(reason)}`);
          assert.match(refused.body, /data-code="staff_reason_invalid"/);
        }
        await fixture.assertNothingWritten(before);
        const longest = 'あ'.repeat(SWITCH_REASON_CHARS_MAX);
        assert.equal((await staffPost(fixture, admin, flipUrl(fixture), { name: 'charges_suspended', on: 'true', reason: longest })).statusCode, 303);
        assert.equal((await fixture.bank.services.audit.list())[0]!.reason, longest);
      });
    });

    test('a forged CSRF token, no session, an unknown or malformed operator and an unknown switch are each refused and change nothing', async () => {
      await withFixture(backend, async (fixture) => {
        const admin = await staffSession(fixture, 'admin');
        const fields = { name: 'charges_suspended', on: 'true', reason: 'incident' };
        const before = await fixture.snapshot();
        const forged = await staffPost(fixture, admin, flipUrl(fixture), { ...fields, csrf: 'forged' });
        assert.equal(forged.statusCode, 403);
        assert.match(forged.body, /data-code="staff_csrf_token_invalid"/);
        const lifted = await fixture.bank.app.inject({ method: 'POST', url: flipUrl(fixture), cookies: { furikae_csrf: admin.cookies.furikae_csrf }, headers: FORM_HEADERS, payload: formBody({ ...fields, csrf: admin.csrf }) });
        assert.equal(lifted.statusCode, 403, 'the admin’s token without the admin’s session');
        assert.match(lifted.body, /data-code="staff_csrf_token_invalid"/);
        const visitor = await formToken(fixture, '/staff/login');
        const missing = await fixture.bank.app.inject({ method: 'POST', url: flipUrl(fixture), cookies: visitor.cookies, headers: FORM_HEADERS, payload: formBody({ ...fields, csrf: visitor.csrf }) });
        assert.equal(missing.statusCode, 303, 'a well-formed form with no session');
        assert.equal(missing.headers.location, '/staff/login');
        const unknown = await staffPost(fixture, admin, `/staff/operators/${fixture.bank.services.ids.next()}/switches`, fields);
        assert.equal(unknown.statusCode, 404);
        assert.match(unknown.body, /data-code="staff_target_not_found"/);
        assert.equal((await staffPost(fixture, admin, '/staff/operators/not-a-uuid/switches', fields)).statusCode, 400);
        assert.equal((await staffPost(fixture, admin, flipUrl(fixture), { ...fields, name: 'links_frozen' })).statusCode, 400);
        assert.equal((await staffPost(fixture, admin, flipUrl(fixture), { ...fields, on: 'yes' })).statusCode, 400);
        await fixture.assertNothingWritten(before);
      });
    });

    // PostgreSQL only: PGlite runs one transaction at a time, so the flip cannot meet a batch in flight there.
    raceTest(backend, 'a switch flip during a burst of charges: no charge commits after the flip is acknowledged', async () => {
      await withFixture(backend, async (fixture) => {
        const { db, clock } = fixture;
        const link = await legacyLink(fixture);
        assert.equal(link.response.statusCode, 201);
        const admin = await staffSession(fixture, 'admin');
        /** Charges sent after the flip was sent and before it returned, and after it returned: both sides of the ack. */
        const QUEUED_BEHIND_FLIP = 200;
        const AFTER = 60;
        /** A bound on the whole burst, in case the bank never answers the first charges. */
        const SENT_MAX = 5000;
        const shots: { key: string; sent_after_ack: boolean; response?: InjectResponse }[] = [];
        const unanswered = new Set<Promise<void>>();
        const fire = (key: string, sent_after_ack: boolean) => {
          const shot: (typeof shots)[number] = { key, sent_after_ack };
          shots.push(shot);
          const answered = charge(fixture, link.body.link_token, { amount_yen: 100 }, key).then((response) => { shot.response = response; });
          unanswered.add(answered);
          return answered.finally(() => unanswered.delete(answered));
        };
        const committed = async () => new Set((await db.query<{ id: string }>(`SELECT id FROM charges WHERE link_id = $1`, [link.body.link.id])).map((row) => row.id));

        let acked = false;
        let ackedAt: Date | undefined;
        let atAck: Set<string> | undefined;
        let flip: Promise<void> | undefined;
        let sentSinceFlip = 0;
        const inFlight: Promise<void>[] = [];
        for (let n = 0; sentSinceFlip < QUEUED_BEHIND_FLIP; n++) {
          assert.ok(n < SENT_MAX, 'the first charges were answered');
          inFlight.push(fire(`burst-${n}`, acked));
          if (flip) sentSinceFlip += 1;
          // Flip once charges are committing, with many more still arriving and queued behind the running batch.
          if (!flip && shots.filter((shot) => shot.response).length >= 10) {
            flip = staffPost(fixture, admin, flipUrl(fixture), { name: 'charges_suspended', on: 'true', reason: 'burst of suspicious charges' })
              .then(async (response) => {
                assert.equal(response.statusCode, 303);
                acked = true;
                // Batches take their time from the clock when they start: any batch started after the ack is stamped later.
                clock.advance(1000);
                ackedAt = clock.now();
                atAck = await committed();
              });
          }
          // Every ten shots, wait for the bank to answer one: the burst keeps pace with the batches, queued behind each.
          if (n % 10 === 9 && unanswered.size > 0) await Promise.race(unanswered);
        }
        assert.ok(flip, 'the flip started mid-burst');
        await flip;
        for (let n = 0; n < AFTER; n++) inFlight.push(fire(`after-${n}`, true));
        await Promise.all(inFlight);

        const final = await committed();
        assert.ok(atAck && ackedAt);
        assert.deepEqual([...final].sort(), [...atAck].sort(), 'no charge committed after the flip was acknowledged');
        const [latest] = await db.query<{ latest: Date }>(`SELECT max(created_at) AS latest FROM charges WHERE link_id = $1`, [link.body.link.id]);
        assert.ok(latest!.latest < ackedAt, 'every committed charge was made by a batch that started before the ack');

        const accepted = shots.filter((shot) => shot.response!.statusCode < 300);
        const suspended = shots.filter((shot) => shot.response!.statusCode === 403 && shot.response!.json().code === 'charges_suspended');
        assert.deepEqual(new Set(accepted.map((shot) => shot.response!.json().id as string)), final, 'every accepted charge is committed, and only those');
        for (const shot of shots.filter((s) => s.sent_after_ack)) {
          assert.equal(shot.response!.statusCode, 403, `${shot.key} was sent after the ack`);
          assert.equal(shot.response!.json().code, 'charges_suspended');
        }
        assert.ok(accepted.length > 0, 'some charges committed before the flip');
        assert.ok(suspended.length >= AFTER, 'and the rest were refused');
        assert.ok(suspended.some((shot) => !shot.sent_after_ack), 'including charges already queued when the flip was made');
        const [entry] = await fixture.bank.services.audit.list({ action: 'operator.switch' });
        assert.equal(entry?.reason, 'burst of suspicious charges');
      });
    });
  });
}
