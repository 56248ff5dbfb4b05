import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createIncidentFixture, fraudCase, stolenCharges, type IncidentFixture } from '../testing/incident-fixture.ts';
import { snapshotDatabase } from '../testing/database-snapshot.ts';
import { assertNothingWritten } from '../testing/refusal-may-write.ts';
import { staffGet, staffPost, type StaffSession } from '../testing/staff-session.ts';
import { insertLinkedCustomers } from '../testing/linked-customers.ts';

/** Posts a console form and expects the refusal page with `code` and `status`, and every table as it was. */
async function refusedPage(fixture: IncidentFixture, who: StaffSession, url: string, fields: Record<string, string>, status: number, code: string): Promise<void> {
  const before = await snapshotDatabase(fixture.db);
  const response = await staffPost(fixture, who, url, fields);
  assert.equal(response.statusCode, status, `${url}: ${response.body.slice(0, 500)}`);
  assert.match(response.body, new RegExp(`data-code="${code}"`));
  assertNothingWritten(before, await snapshotDatabase(fixture.db), { message: `${code} wrote nothing` });
}

for (const backend of testBackends) {
  describe(`the console's Incidents tab on ${backend.name}`, { skip: backend.skip }, () => {
    test('staff open an incident from the tab; a bad period or an unknown operator is a refusal page that changes nothing', async () => {
      const fixture = await createIncidentFixture(backend);
      try {
        const list = await staffGet(fixture, fixture.viewer, '/staff/incidents');
        assert.equal(list.statusCode, 200);
        assert.match(list.body, /<a href="\/staff\/incidents" class="here">インシデント Incidents<\/a>/);
        assert.match(list.body, new RegExp(`data-incident="${fixture.incident.id}"`));
        assert.doesNotMatch(list.body, /id="open-incident"/, 'a viewer gets no form');
        assert.match((await staffGet(fixture, fixture.analyst, '/staff/incidents')).body, /id="open-incident"/);

        const fields = { title: 'PayPay経由の不正出金', operator_ids: fixture.operator.id, period_from: '2026-09-01', period_to: '2026-11-09' };
        await refusedPage(fixture, fixture.viewer, '/staff/incidents', fields, 403, 'staff_role_insufficient');
        await refusedPage(fixture, fixture.analyst, '/staff/incidents', { ...fields, period_from: '2026-11-09', period_to: '2026-09-01' }, 422, 'incident_period_invalid');
        await refusedPage(fixture, fixture.analyst, '/staff/incidents', { ...fields, period_from: '2010-01-01' }, 422, 'incident_period_invalid');
        await refusedPage(fixture, fixture.analyst, '/staff/incidents', { ...fields, operator_ids: fixture.bank.services.ids.next() }, 404, 'operator_not_found');
        await refusedPage(fixture, fixture.analyst, '/staff/incidents', { ...fields, csrf: 'forged' }, 403, 'staff_csrf_token_invalid');

        const opened = await staffPost(fixture, fixture.analyst, '/staff/incidents', fields);
        assert.equal(opened.statusCode, 303);
        const page = await staffGet(fixture, fixture.viewer, String(opened.headers.location));
        assert.equal(page.statusCode, 200);
        assert.match(page.body, /PayPay経由の不正出金/);
        assert.match(page.body, /data-incident-status="open"/);
        assert.match(page.body, /data-action="incident.open"/);
        assert.doesNotMatch(page.body, /data-action="advance"/, 'a viewer cannot move it');
        const missing = await staffGet(fixture, fixture.viewer, `/staff/incidents/${fixture.bank.services.ids.next()}`);
        assert.equal(missing.statusCode, 404);
        assert.match(missing.body, /data-code="incident_not_found"/);
      } finally {
        await fixture.close();
      }
    });

    test('compensation in the console: the maker proposes, cannot approve it herself, a viewer cannot either, a second analyst approves and it is paid', async () => {
      const fixture = await createIncidentFixture(backend);
      try {
        const { services } = fixture.bank;
        const stolen = await stolenCharges(fixture, [100_000, 50_000]);
        const case_id = await fraudCase(fixture, stolen);
        const incidentUrl = `/staff/incidents/${fixture.incident.id}`;
        assert.match((await staffGet(fixture, fixture.analyst, incidentUrl)).body, new RegExp(`compensations/new\\?case_id=${case_id}`));
        const form = await staffGet(fixture, fixture.analyst, `${incidentUrl}/compensations/new?case_id=${case_id}`);
        assert.equal(form.statusCode, 200);
        assert.match(form.body, /事業者 100% · 全額なら If all: 事業者 operator ¥150,000 \/ 当行 bank ¥0 = ¥150,000/);

        const [first, second] = stolen.charge_ids as [string, string];
        const propose = (fields: Record<string, string>) => staffPost(fixture, fixture.analyst, `${incidentUrl}/compensations`, { case_id, charge_ids: first, ...fields });
        await refusedPage(fixture, fixture.analyst, `${incidentUrl}/compensations`, { case_id, charge_ids: first, [`amount_${first}`]: '100,001' }, 422, 'compensation_exceeds_charge');
        await refusedPage(fixture, fixture.analyst, `${incidentUrl}/compensations`, { case_id, charge_ids: first, [`amount_${first}`]: '12.5' }, 422, 'compensation_exceeds_charge');
        await refusedPage(fixture, fixture.analyst, `${incidentUrl}/compensations`, { case_id, charge_ids: services.ids.next() }, 422, 'compensation_charge_not_in_source');
        await refusedPage(fixture, fixture.viewer, `${incidentUrl}/compensations`, { case_id, charge_ids: first }, 403, 'staff_role_insufficient');
        const proposed = await propose({ [`amount_${first}`]: '¥100,000', note: '本人確認済み' });
        assert.equal(proposed.statusCode, 303, proposed.body);
        await refusedPage(fixture, fixture.analyst, `${incidentUrl}/compensations`, { case_id, charge_ids: first }, 409, 'compensation_charge_already_compensated');
        const [compensation] = await services.compensations.listForIncident(fixture.incident.id);
        assert.equal(compensation?.amount_yen, 100_000);

        const makerView = (await staffGet(fixture, fixture.analyst, incidentUrl)).body;
        assert.match(makerView, /data-four-eyes="own"/, 'the maker is told someone else approves');
        assert.doesNotMatch(makerView, /data-action="approve-compensation"/);
        assert.match((await staffGet(fixture, fixture.checker, incidentUrl)).body, /data-action="approve-compensation"/);
        await refusedPage(fixture, fixture.analyst, `/staff/compensations/${compensation!.id}/approve`, {}, 403, 'compensation_self_approval');
        await refusedPage(fixture, fixture.viewer, `/staff/compensations/${compensation!.id}/approve`, {}, 403, 'staff_role_insufficient');
        const approved = await staffPost(fixture, fixture.checker, `/staff/compensations/${compensation!.id}/approve`);
        assert.equal(approved.statusCode, 303);
        await refusedPage(fixture, fixture.admin, `/staff/compensations/${compensation!.id}/approve`, {}, 409, 'compensation_not_proposed');
        const after = (await staffGet(fixture, fixture.viewer, incidentUrl)).body;
        assert.match(after, new RegExp(`data-compensation="${compensation!.id}" data-status="paid"`));
        assert.match(after, new RegExp(`data-paid="${fixture.operator.id}">1 · ¥100,000`));

        // The second charge is still open to propose; an admin changes the operator's share with a reason.
        await refusedPage(fixture, fixture.analyst, `/staff/operators/${fixture.operator.id}/compensation-agreement`, { operator_share_percent: '50', reason: 'x' }, 403, 'staff_role_insufficient');
        await refusedPage(fixture, fixture.admin, `/staff/operators/${fixture.operator.id}/compensation-agreement`, { operator_share_percent: '150', reason: 'x' }, 422, 'compensation_share_invalid');
        await refusedPage(fixture, fixture.admin, `/staff/operators/${fixture.operator.id}/compensation-agreement`, { operator_share_percent: '50' }, 422, 'staff_reason_invalid');
        assert.equal((await staffPost(fixture, fixture.admin, `/staff/operators/${fixture.operator.id}/compensation-agreement`, { operator_share_percent: '50', reason: '折半の合意 Agreed half' })).statusCode, 303);
        assert.equal((await propose({ charge_ids: second })).statusCode, 303);
        const split = (await services.compensations.listForIncident(fixture.incident.id)).find((c) => c.status === 'proposed')!;
        assert.deepEqual([split.operator_yen, split.bank_yen], [25_000, 25_000]);
        assert.equal((await staffPost(fixture, fixture.checker, `/staff/compensations/${split.id}/reject`, { reason: '再確認 check again' })).statusCode, 303);
      } finally {
        await fixture.close();
      }
    });

    test('campaigns in the console: a preview with the segment size and a sample notice; only an admin starts, pauses or cancels; an empty segment is refused', async () => {
      const fixture = await createIncidentFixture(backend);
      try {
        const { services } = fixture.bank;
        await insertLinkedCustomers(fixture.db, { count: 25, operator_id: fixture.operator.id, prefix: 'console', now: fixture.clock.now() });
        const incidentUrl = `/staff/incidents/${fixture.incident.id}`;
        const preview = await staffGet(fixture, fixture.admin, `${incidentUrl}/campaigns/new?segment=operator&operator_id=${fixture.operator.id}&message_ja=${encodeURIComponent('ご確認ください')}`);
        assert.equal(preview.statusCode, 200);
        assert.match(preview.body, /data-segment-size>25</);
        assert.match(preview.body, /見本 太郎 様/);
        assert.match(preview.body, /ご確認ください/);
        assert.match(preview.body, /「ドコモ口座」/);

        const fields = { segment: 'operator', operator_id: fixture.operator.id, labels: 'ドコモ口座', message_ja: '', message_en: '' };
        await refusedPage(fixture, fixture.analyst, `${incidentUrl}/campaigns`, fields, 403, 'staff_role_insufficient');
        await refusedPage(fixture, fixture.admin, `${incidentUrl}/campaigns`, { ...fields, segment: 'legacy_pin', message_ja: 'www.furikae-check.jp で確認' }, 422, 'campaign_message_invalid');
        const lonely = await services.operators.register({ display_name: 'Kyash', passbook_label: 'KYASH' });
        await refusedPage(fixture, fixture.admin, `${incidentUrl}/campaigns`, { ...fields, operator_id: lonely.operator.id }, 422, 'campaign_segment_empty');
        await refusedPage(fixture, fixture.admin, `${incidentUrl}/campaigns`, { ...fields, segment: 'scan', scan_id: services.ids.next() }, 404, 'scan_not_found');
        assert.equal((await staffPost(fixture, fixture.admin, `${incidentUrl}/campaigns`, fields)).statusCode, 303);
        const [campaign] = await services.campaigns.listForIncident(fixture.incident.id);
        const writing = await staffGet(fixture, fixture.viewer, incidentUrl);
        assert.equal(writing.headers.refresh, '10', 'the page reloads itself while the campaign is live');
        assert.match(writing.body, /作成中 writing/);
        await services.campaigns.enqueuePending();
        const running = (await staffGet(fixture, fixture.viewer, incidentUrl)).body;
        assert.match(running, /<progress max="25" value="0"><\/progress> 0 \/ 25/);
        assert.match(running, /待機 waiting 25/);
        await refusedPage(fixture, fixture.analyst, `/staff/campaigns/${campaign!.id}/pause`, { reason: 'x' }, 403, 'staff_role_insufficient');
        await refusedPage(fixture, fixture.admin, `/staff/campaigns/${campaign!.id}/resume`, { reason: 'x' }, 409, 'campaign_status_invalid');
        assert.equal((await staffPost(fixture, fixture.admin, `/staff/campaigns/${campaign!.id}/pause`, { reason: '問い合わせ窓口の準備 Call centre not ready' })).statusCode, 303);
        const paused = await staffGet(fixture, fixture.viewer, incidentUrl);
        assert.equal(paused.headers.refresh, undefined, 'nothing live: no reload');
        assert.match(paused.body, /一時停止 paused/);
      } finally {
        await fixture.close();
      }
    });

    test('the report downloads from the console in each form; an unknown incident is a 404 page', async () => {
      const fixture = await createIncidentFixture(backend);
      try {
        const base = `/staff/incidents/${fixture.incident.id}/report`;
        const page = await staffGet(fixture, fixture.viewer, `${base}.html`);
        assert.equal(page.statusCode, 200);
        assert.match(String(page.headers['content-type']), /^text\/html/);
        assert.match(String(page.headers['content-disposition']), /^inline; filename="incident-.*\.html"$/);
        assert.equal((page.body.match(/<svg /g) ?? []).length, 2);
        const csv = await staffGet(fixture, fixture.viewer, `${base}.csv`);
        assert.match(String(csv.headers['content-disposition']), /^attachment; filename="incident-.*\.csv"$/);
        assert.match(String(csv.headers['content-type']), /^text\/csv/);
        const json = await staffGet(fixture, fixture.viewer, `${base}.json`);
        assert.equal((json.json() as { incident: { id: string } }).incident.id, fixture.incident.id);
        const missing = await staffGet(fixture, fixture.viewer, `/staff/incidents/${fixture.bank.services.ids.next()}/report.html`);
        assert.equal(missing.statusCode, 404);
        assert.match(missing.body, /data-code="incident_not_found"/);
        assert.equal((await staffGet(fixture, fixture.viewer, `${base}.pdf`)).statusCode, 400);
        assert.equal((await fixture.bank.services.audit.list({ action: 'incident.report' })).length, 3, 'each download is audited');
      } finally {
        await fixture.close();
      }
    });
  });
}
