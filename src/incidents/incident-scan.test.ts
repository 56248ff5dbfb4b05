import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { testBackends } from '../testing/test-databases.ts';
import { createIncidentFixture, type IncidentFixture } from '../testing/incident-fixture.ts';
import { snapshotDatabase } from '../testing/database-snapshot.ts';
import { assertNothingWritten } from '../testing/refusal-may-write.ts';
import { plantScanHistory } from '../testing/scan-history.ts';
import { staffGet, staffPost } from '../testing/staff-session.ts';
import { createScanner } from '../scan/scanner.ts';
import { openScanCases } from '../scan/open-scan-cases.ts';
import { incidentCaseIdsSql } from './incident-cases.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import type { Incident } from './incident.ts';

const refused = (code: string) => (error: unknown) => error instanceof FurikaeError && error.code === code;

/** The 2020 story (three elderly victims of one thief's phone, six honest customers), an incident over it, and its scan, done. */
async function scannedIncident(fixture: IncidentFixture): Promise<{ incident: Incident; scan_id: string; planted: Awaited<ReturnType<typeof plantScanHistory>> }> {
  const { services } = fixture.bank;
  const planted = await plantScanHistory(fixture.db);
  const [operator] = await fixture.db.query<{ id: string }>(`SELECT id FROM operators WHERE client_id = 'scan-page-wallet'`);
  const incident = await services.incidents.open({ title: '2020年の不正出金', operator_ids: [operator!.id], period_from: '2020-01-01', period_to: '2020-12-31' }, fixture.admin.id);
  const scanner = createScanner({ db: fixture.db, clock: fixture.clock, ids: services.ids, log: services.log, pipeline: services.risk, audit: services.audit });
  const started = await scanner.start({ from: '2020-01-01', to: '2020-12-31', operator: operator!.id, incident_id: incident.id, started_by: { staff_id: fixture.analyst.id } });
  const scan = await started.finished;
  assert.equal(scan.status, 'done', scan.failure ?? '');
  return { incident, scan_id: scan.id, planted };
}

for (const backend of testBackends) {
  describe(`an incident's retrospective scan on ${backend.name}`, { skip: backend.skip }, () => {
    test('the incident page and timeline show the scan; cases opened from it in bulk are the incident’s cases', async () => {
      const fixture = await createIncidentFixture(backend);
      try {
        const { incident, scan_id, planted } = await scannedIncident(fixture);
        const page = await staffGet(fixture, fixture.analyst, `/staff/incidents/${incident.id}`);
        assert.equal(page.statusCode, 200);
        assert.match(page.body, new RegExp(`data-scan="${scan_id}" data-status="done"`));
        assert.match(page.body, /3 customers · 3 links/);
        for (const link_id of planted.theft_link_ids) assert.match(page.body, new RegExp(`scan_id=${scan_id}&(amp;)?link_id=${link_id}`));
        for (const link_id of planted.honest_link_ids) assert.doesNotMatch(page.body, new RegExp(`link_id=${link_id}`));
        assert.match(page.body, /id="incident-scan"/, 'an analyst may start another scan from the incident');
        assert.doesNotMatch((await staffGet(fixture, fixture.viewer, `/staff/incidents/${incident.id}`)).body, /id="incident-scan"/, 'a viewer may not');

        const opened = await openScanCases({ db: fixture.db, cases: fixture.bank.services.cases, audit: fixture.bank.services.audit }, { scan_id, link_ids: 'top', staff_id: fixture.analyst.id });
        assert.equal(opened.outcome === 'done' && opened.opened, 3);
        const cases = await fixture.db.query<{ case_id: string }>(incidentCaseIdsSql(), [incident.id]);
        assert.deepEqual(cases.map((row) => row.case_id).sort(), opened.outcome === 'done' ? [...opened.case_ids].sort() : []);
        assert.match((await staffGet(fixture, fixture.viewer, `/staff/incidents/${incident.id}`)).body, /案件 Cases \(3\)/);

        const timeline = await fixture.bank.services.incidents.timeline(incident);
        // The frozen clock puts every step at one instant, so the order among them is not asserted.
        const scanEntries = timeline.filter((entry) => entry.kind === 'scan').map((entry) => entry.action).sort();
        assert.deepEqual(scanEntries, ['scan.done', 'scan.open_cases', 'scan.start']);
      } finally {
        await fixture.close();
      }
    });

    test('compensation proposed from a scan result covers only that scan’s suspect charges, and pays once after a second analyst approves', async () => {
      const fixture = await createIncidentFixture(backend);
      try {
        const { services } = fixture.bank;
        const { incident, scan_id, planted } = await scannedIncident(fixture);
        const link_id = planted.theft_link_ids[0]!;
        const suspects = await fixture.db.query<{ charge_id: string; amount_yen: number }>(
          `SELECT charge_id, amount_yen::int AS amount_yen FROM scan_charges WHERE scan_id = $1 AND link_id = $2 ORDER BY charged_at`, [scan_id, link_id]);
        assert.equal(suspects.length, 2);
        const [honest] = await fixture.db.query<{ id: string }>(`SELECT id FROM charges WHERE link_id = $1 LIMIT 1`, [planted.honest_link_ids[0]]);

        const form = await staffGet(fixture, fixture.analyst, `/staff/incidents/${incident.id}/compensations/new?scan_id=${scan_id}&link_id=${link_id}`);
        assert.equal(form.statusCode, 200, form.body.slice(0, 300));
        for (const suspect of suspects) assert.match(form.body, new RegExp(`data-charge="${suspect.charge_id}"`));
        const notInScan = await staffGet(fixture, fixture.analyst, `/staff/incidents/${incident.id}/compensations/new?scan_id=${scan_id}&link_id=${planted.honest_link_ids[0]}`);
        assert.equal(notInScan.statusCode, 404);
        assert.match(notInScan.body, /data-code="scan_not_found"/);

        const propose = (source: { kind: 'scan'; scan_id: string }, charge_ids: string[], incident_id = incident.id) =>
          services.compensations.propose({ incident_id, source, charges: charge_ids.map((charge_id) => ({ charge_id })) }, fixture.analyst.id);
        const before = await snapshotDatabase(fixture.db);
        await assert.rejects(propose({ kind: 'scan', scan_id }, [honest!.id]), refused('compensation_charge_not_in_source'));
        await assert.rejects(propose({ kind: 'scan', scan_id: services.ids.next() }, [suspects[0]!.charge_id]), refused('scan_not_found'));
        await assert.rejects(propose({ kind: 'scan', scan_id }, [suspects[0]!.charge_id], fixture.incident.id), refused('scan_not_found'), 'a scan of another incident');
        assertNothingWritten(before, await snapshotDatabase(fixture.db), { message: 'the refusals wrote nothing' });

        const posted = await staffPost(fixture, fixture.analyst, `/staff/incidents/${incident.id}/compensations`, { scan_id, charge_ids: suspects[0]!.charge_id });
        assert.equal(posted.statusCode, 303, posted.body.slice(0, 300));
        const [proposed] = await services.compensations.listForIncident(incident.id);
        assert.equal(proposed!.source, 'scan');
        assert.equal(proposed!.amount_yen, suspects[0]!.amount_yen);
        await assert.rejects(services.compensations.approve(proposed!.id, fixture.analyst.id), refused('compensation_self_approval'));
        assert.equal((await services.compensations.approve(proposed!.id, fixture.checker.id)).kind, 'paid');
        await assert.rejects(services.compensations.approve(proposed!.id, fixture.admin.id), refused('compensation_not_proposed'));
        assert.deepEqual(await services.compensations.payDue(), [], 'nothing left to pay');
        const legs = await fixture.db.query<{ credit_account_id: string; amount_yen: number }>(
          `SELECT credit_account_id, amount_yen::int AS amount_yen FROM ledger_transfers WHERE user_data = $1 AND credit_account_id = $2`, [proposed!.id, proposed!.account_id]);
        assert.deepEqual(legs.map((leg) => leg.amount_yen), [suspects[0]!.amount_yen], 'the customer was paid once');
        assert.equal((await services.ledger.checkInvariants()).ok, true);
      } finally {
        await fixture.close();
      }
    });

    test('a campaign to the customers in the scan reaches exactly the three victims; a scan of another incident is refused', async () => {
      const fixture = await createIncidentFixture(backend);
      try {
        const { services } = fixture.bank;
        const { incident, scan_id } = await scannedIncident(fixture);
        assert.equal(await services.campaigns.segmentSize(incident.id, { kind: 'scan', scan_id }), 3);
        await assert.rejects(services.campaigns.segmentSize(fixture.incident.id, { kind: 'scan', scan_id }), refused('scan_not_found'));
        const preview = await staffGet(fixture, fixture.admin, `/staff/incidents/${incident.id}/campaigns/new?segment=scan&scan_id=${scan_id}`);
        assert.match(preview.body, /data-segment-size>3</);
        assert.match(preview.body, new RegExp(`<option value="${scan_id}" selected>`));

        const campaign = await services.campaigns.create({ incident_id: incident.id, segment: { kind: 'scan', scan_id } }, fixture.admin.id);
        assert.deepEqual(await services.campaigns.enqueuePending(), [{ campaign_id: campaign.id, notices: 3 }]);
        const notified = await fixture.db.query<{ customer_id: string }>(`SELECT customer_id FROM notification_outbox WHERE campaign_id = $1 ORDER BY customer_id`, [campaign.id]);
        const victims = await fixture.db.query<{ customer_id: string }>(`SELECT customer_id FROM scan_customers WHERE scan_id = $1 ORDER BY customer_id`, [scan_id]);
        assert.deepEqual(notified, victims);
      } finally {
        await fixture.close();
      }
    });

    test('the printable report is served with only its own style allowed, by hash, and no script', async () => {
      const fixture = await createIncidentFixture(backend);
      try {
        const { incident } = await scannedIncident(fixture);
        const report = await staffGet(fixture, fixture.viewer, `/staff/incidents/${incident.id}/report.html`);
        assert.equal(report.statusCode, 200);
        const csp = String(report.headers['content-security-policy']);
        const styles = [...report.body.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((match) => match[1]!);
        assert.equal(styles.length, 1);
        const hash = createHash('sha256').update(styles[0]!).digest('base64');
        assert.match(csp, new RegExp(`style-src 'sha256-${hash.replace(/[+/]/g, '\\$&')}'`));
        assert.match(csp, /script-src 'none'/);
        assert.doesNotMatch(csp, /unsafe-inline/);
        assert.doesNotMatch(report.body, /<script|style="/);
        assert.match(report.body, /遡及スキャン/, 'the scan is among the measures taken');
      } finally {
        await fixture.close();
      }
    });
  });
}
