import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createIncidentFixture, fraudCase, stolenCharges, type IncidentFixture } from '../testing/incident-fixture.ts';
import { snapshotDatabase } from '../testing/database-snapshot.ts';
import { assertNothingWritten } from '../testing/refusal-may-write.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { refundCharge } from '../charges/refund-charge.ts';
import { csvCell } from './incident-report-csv.ts';
import type { IncidentReport } from './incident-report.ts';

test('a CSV cell is quoted when it must be, and text a spreadsheet would run as a formula is defused', () => {
  assert.equal(csvCell('ドコモ口座'), 'ドコモ口座');
  assert.equal(csvCell('a, b'), '"a, b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell('=HYPERLINK("http://evil","x")'), `"'=HYPERLINK(""http://evil"",""x"")"`);
  for (const lead of ['+', '-', '@', '\t']) assert.equal(csvCell(`${lead}1`).startsWith(`'${lead}`) || csvCell(`${lead}1`).startsWith(`"'${lead}`), true);
  assert.equal(csvCell(-5), '-5', 'numbers are numbers');
  assert.equal(csvCell(null), '');
});

/**
 * The fixture's operator (legacy PIN) lost ¥100,000 in October and ¥60,000 + ¥40,000 in November to two victims'
 * cases; a second operator lost ¥30,000 through a FAPI link in November. One case is compensated and paid, one
 * refunded in part, one awaiting approval.
 */
async function scenario(fixture: IncidentFixture) {
  const { services } = fixture.bank;
  fixture.clock.set('2026-10-15T03:00:00Z');
  const october = await stolenCharges(fixture, [100_000]);
  fixture.clock.set('2026-11-05T03:00:00Z');
  const november = await stolenCharges(fixture, [60_000, 40_000]);
  fixture.clock.set('2026-11-10T01:00:00Z');
  const open_case = await fraudCase(fixture, await stolenCharges(fixture, [1_000]), 'open');
  await services.operators.setSwitch(fixture.operator.id, 'new_links_suspended', true, { staff_id: fixture.admin.id, reason: '=cmd|calc 不正出金' });
  const case_october = await fraudCase(fixture, october);
  const case_november = await fraudCase(fixture, november);
  const operator = (await services.operators.get(fixture.operator.id))!;
  await refundCharge(services, operator, { charge_id: november.charge_ids[1]!, idempotency_key: 'refund-1', amount_yen: 10_000 });
  const paid = await services.compensations.propose({ incident_id: fixture.incident.id, source: { kind: 'case', case_id: case_october }, charges: [{ charge_id: october.charge_ids[0]! }] }, fixture.analyst.id);
  await services.compensations.approve(paid.id, fixture.checker.id);
  await services.compensations.propose({ incident_id: fixture.incident.id, source: { kind: 'case', case_id: case_november }, charges: november.charge_ids.map((charge_id) => ({ charge_id })) }, fixture.analyst.id);

  // A second operator's FAPI link, its charge written straight in the table (the FAPI flow has its own tests).
  const other = await services.operators.register({ display_name: 'PayPay (テスト)', passbook_label: 'PAYPAY' });
  const link_id = services.ids.next();
  const charge_id = services.ids.next();
  await fixture.db.query(`INSERT INTO links (id, operator_id, account_id, method, status, charge_yen_max, charges_yen_per_month_max, created_at)
    VALUES ($1, $2, $3, 'fapi2', 'active', 100000, 300000, '2026-11-01T00:00:00Z')`, [link_id, other.operator.id, fixture.customer.account_id]);
  await fixture.db.query(`INSERT INTO charges (id, operator_id, link_id, account_id, idempotency_key, request_hash, amount_yen, status, created_at)
    VALUES ($1, $2, $3, $4, 'fapi-1', 'x', 30000, 'succeeded', '2026-11-02T00:00:00Z')`, [charge_id, other.operator.id, link_id, fixture.customer.account_id]);
  const fapi_case = await fixture.db.transaction((tx) => services.cases.openCase(tx, { kind: 'dispute', summary: 'not me', customer_id: fixture.customer.id, charge_ids: [charge_id] }));
  await services.incidents.attachCases(fixture.incident.id, [fapi_case], fixture.analyst.id);
  await services.cases.resolve(fapi_case, 'fraud', fixture.analyst.id, 'confirmed with the customer');
  return { other, open_case };
}

for (const backend of testBackends) {
  describe(`the regulator's report on ${backend.name}`, { skip: backend.skip }, () => {
    test('cases, victims and yen lost and compensated per operator, link method and month; measures with times; open items', async () => {
      const fixture = await createIncidentFixture(backend);
      try {
        const { services } = fixture.bank;
        await scenario(fixture);
        const file = await services.incidents.report(fixture.incident.id, 'json', fixture.viewer.id);
        assert.equal(file.content_type, 'application/json; charset=utf-8');
        assert.match(file.filename, /^incident-[0-9a-f-]{36}-2026-11-10\.json$/);
        const report = JSON.parse(file.body) as IncidentReport;

        assert.deepEqual(
          { cases: report.totals.cases, cases_total: report.totals.cases_total, cases_open: report.totals.cases_open, victims: report.totals.victims,
            charges: report.totals.charges, lost: report.totals.lost_yen, refunded: report.totals.refunded_yen, compensated: report.totals.compensated_yen, outstanding: report.totals.outstanding_yen },
          { cases: 3, cases_total: 4, cases_open: 1, victims: 1, charges: 4, lost: 230_000, refunded: 10_000, compensated: 100_000, outstanding: 120_000 });
        assert.deepEqual(report.by_operator.map((row) => [row.label, row.cases, row.charges, row.lost_yen, row.compensated_yen]).sort(),
          [['PayPay (テスト)', 1, 1, 30_000, 0], ['ドコモ口座 (テスト)', 2, 3, 200_000, 100_000]]);
        assert.deepEqual(report.by_link_method.map((row) => [row.key, row.lost_yen]), [['fapi2', 30_000], ['legacy_pin', 200_000]]);
        assert.deepEqual(report.by_month.map((row) => [row.key, row.cases, row.lost_yen, row.refunded_yen]), [['2026-10', 1, 100_000, 0], ['2026-11', 2, 130_000, 10_000]]);
        assert.deepEqual(report.compensation.by_status.map((row) => [row.status, row.count, row.amount_yen]),
          [['proposed', 1, 90_000], ['approved', 0, 0], ['paid', 1, 100_000], ['rejected', 0, 0]]);

        const flip = report.measures.find((m) => m.kind === 'switch')!;
        assert.match(flip.description, /新規連携 new links 停止 suspended/);
        assert.equal(flip.staff, 'admin 担当');
        assert.equal(flip.reason, '=cmd|calc 不正出金');
        assert.ok(report.measures.some((m) => m.kind === 'risk_config' && /in force/.test(m.description)), 'the risk configuration in force is a measure');
        assert.ok(report.measures.some((m) => m.kind === 'compensation' && /paid/.test(m.description)));
        assert.ok(report.measures.every((m, i) => i === 0 || report.measures[i - 1]!.at <= m.at), 'in time order');
        assert.deepEqual(report.open_items.map((item) => item.kind), ['incident', 'case', 'compensation']);
        assert.equal(report.open_items_total, 3);

        const [entry] = await services.audit.list({ action: 'incident.report' });
        assert.deepEqual([entry?.subject, entry?.staff_id, entry?.details.format], [fixture.incident.id, fixture.viewer.id, 'json']);
      } finally {
        await fixture.close();
      }
    });

    test('the CSV has every section, a byte-order mark for Excel, CRLF lines, and defused staff text; the HTML is self-contained with two charts', async () => {
      const fixture = await createIncidentFixture(backend);
      try {
        const { services } = fixture.bank;
        await scenario(fixture);
        const csv = (await services.incidents.report(fixture.incident.id, 'csv', fixture.analyst.id)).body;
        assert.ok(csv.startsWith('\uFEFF# incident\r\n'));
        for (const section of ['totals', 'by_operator', 'by_link_method', 'by_month', 'by_month_and_operator', 'compensation_by_status', 'campaigns', 'measures', 'open_items']) {
          assert.ok(csv.includes(`\r\n# ${section}\r\n`), section);
        }
        assert.match(csv, /\r\nlegacy_pin,口座番号・暗証番号 \(2020 path\),2,1,3,200000,10000,100000,90000\r\n/);
        assert.ok(csv.includes(",'=cmd|calc 不正出金\r\n"), 'a reason starting with = is defused');
        assert.doesNotMatch(csv, /[^\r]\n/, 'CRLF only');

        const page = (await services.incidents.report(fixture.incident.id, 'html', fixture.analyst.id)).body;
        assert.match(page, /^<!doctype html>/);
        assert.equal((page.match(/<svg /g) ?? []).length, 2, 'two charts, drawn on the server');
        assert.match(page, /月別被害額（事業者別） Losses per month by operator/);
        assert.match(page, /補償の進捗（事業者別） Compensation progress by operator/);
        assert.match(page, /@page \{ size: A4/);
        assert.doesNotMatch(page, /<script|<link|<img|<iframe|\bsrc=|url\(|@import/i, 'nothing to load or run');
        assert.doesNotMatch(page.replace(/xmlns(:xlink)?="http:\/\/www\.w3\.org\/[^"]+"/g, ''), /https?:\/\//, 'no address but the SVG namespace');
        assert.match(page, /¥230,000/);
      } finally {
        await fixture.close();
      }
    });

    test('a report on an unknown incident is refused with incident_not_found and records nothing', async () => {
      const fixture = await createIncidentFixture(backend);
      try {
        const { services } = fixture.bank;
        for (const id of [services.ids.next(), 'not-an-id']) {
          const before = await snapshotDatabase(fixture.db);
          await assert.rejects(services.incidents.report(id, 'html', fixture.analyst.id),
            (error: unknown) => error instanceof FurikaeError && error.code === 'incident_not_found');
          assertNothingWritten(before, await snapshotDatabase(fixture.db));
        }
      } finally {
        await fixture.close();
      }
    });
  });
}
