import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createIncidentFixture, fraudCase, stolenCharges, type IncidentFixture } from '../testing/incident-fixture.ts';
import { snapshotDatabase } from '../testing/database-snapshot.ts';
import { assertNothingWritten } from '../testing/refusal-may-write.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { checkIncidentPeriod } from './incident-scope.ts';

async function refusedWithNothingWritten(fixture: IncidentFixture, code: string, work: () => Promise<unknown>): Promise<void> {
  const before = await snapshotDatabase(fixture.db);
  await assert.rejects(work(), (error: unknown) => error instanceof FurikaeError && error.code === code, `expected ${code}`);
  assertNothingWritten(before, await snapshotDatabase(fixture.db), { message: `${code} wrote nothing` });
}

const NOW = new Date('2026-11-10T01:00:00Z');
const periodRefused = (from: string, to: string) => assert.throws(() => checkIncidentPeriod(from, to, NOW),
  (error: unknown) => error instanceof FurikaeError && error.code === 'incident_period_invalid', `${from}..${to}`);

test('a period runs forwards over real dates, ends by today in Japan, and spans less than 10 years', () => {
  checkIncidentPeriod('2017-07-01', '2020-09-30', NOW);
  checkIncidentPeriod('2026-11-10', '2026-11-10', NOW);
  checkIncidentPeriod('2016-11-11', '2026-11-10', NOW);
  periodRefused('2020-09-30', '2017-07-01');
  periodRefused('2016-11-10', '2026-11-10');
  periodRefused('2026-11-01', '2026-11-11');
  periodRefused('2020-02-30', '2020-03-01');
  periodRefused('2020-7-1', '2020-09-30');
  periodRefused('', '2020-09-30');
});

for (const backend of testBackends) {
  describe(`incidents on ${backend.name}`, { skip: backend.skip }, () => {
    async function withFixture(run: (fixture: IncidentFixture) => Promise<void>) {
      const fixture = await createIncidentFixture(backend);
      try {
        await run(fixture);
      } finally {
        await fixture.close();
      }
    }

    test('an incident is opened with its scope and owner, moves one stage at a time, and every step is in the hash chain', async () => {
      await withFixture(async (fixture) => {
        const { services } = fixture.bank;
        const { incident } = fixture;
        assert.deepEqual([incident.status, incident.operator_ids, incident.period_from, incident.owner_staff_id], ['open', [fixture.operator.id], '2026-10-01', fixture.admin.id]);
        await refusedWithNothingWritten(fixture, 'incident_status_invalid', () => services.incidents.advance(incident.id, 'remediated', fixture.admin.id));
        await refusedWithNothingWritten(fixture, 'incident_status_invalid', () => services.incidents.advance(incident.id, 'open', fixture.admin.id));
        const contained = await services.incidents.advance(incident.id, 'contained', fixture.admin.id, '新規連携とチャージを停止');
        assert.equal(contained.status, 'contained');
        await refusedWithNothingWritten(fixture, 'incident_status_invalid', () => services.incidents.advance(incident.id, 'open', fixture.admin.id));
        await services.incidents.assignOwner(incident.id, fixture.analyst.id, fixture.admin.id);
        assert.equal((await services.incidents.get(incident.id))!.owner_staff_id, fixture.analyst.id);
        const actions = (await services.audit.list({ subject: incident.id })).map((entry) => entry.action).reverse();
        assert.deepEqual(actions, ['incident.open', 'incident.status', 'incident.owner']);
        assert.equal((await services.audit.verify()).ok, true);
      });
    });

    test('bad incidents are refused and change nothing: a backwards or too long period, an unknown operator, an empty title', async () => {
      await withFixture(async (fixture) => {
        const { services } = fixture.bank;
        const open = (overrides: Partial<{ title: string; operator_ids: string[]; period_from: string; period_to: string }>) =>
          services.incidents.open({ title: 'x', operator_ids: [fixture.operator.id], period_from: '2026-01-01', period_to: '2026-11-01', ...overrides }, fixture.admin.id);
        await refusedWithNothingWritten(fixture, 'incident_period_invalid', () => open({ period_from: '2026-11-01', period_to: '2026-01-01' }));
        await refusedWithNothingWritten(fixture, 'incident_period_invalid', () => open({ period_from: '2016-01-01', period_to: '2026-11-01' }));
        await refusedWithNothingWritten(fixture, 'operator_not_found', () => open({ operator_ids: [services.ids.next()] }));
        await refusedWithNothingWritten(fixture, 'operator_not_found', () => open({ operator_ids: ['op_not_a_uuid'] }));
        await refusedWithNothingWritten(fixture, 'validation_failed', () => open({ title: '   ' }));
        await refusedWithNothingWritten(fixture, 'staff_role_insufficient', () => services.incidents.open({ title: 'x', operator_ids: [], period_from: '2026-01-01', period_to: '2026-11-01' }, fixture.viewer.id));
        await refusedWithNothingWritten(fixture, 'staff_role_insufficient', () => services.incidents.advance(fixture.incident.id, 'contained', fixture.analyst.id));
        await refusedWithNothingWritten(fixture, 'staff_role_insufficient', () => services.incidents.attachCases(fixture.incident.id, [], fixture.viewer.id));
        await refusedWithNothingWritten(fixture, 'incident_not_found', () => services.incidents.advance(services.ids.next(), 'contained', fixture.admin.id));
        await refusedWithNothingWritten(fixture, 'case_not_found', () => services.incidents.attachCases(fixture.incident.id, [services.ids.next()], fixture.analyst.id));
        const everyOperator = await open({ operator_ids: [] });
        assert.deepEqual(everyOperator.operator_ids, []);
      });
    });

    test('an incident with open items cannot close; once they are done it closes and takes nothing new', async () => {
      await withFixture(async (fixture) => {
        const { services } = fixture.bank;
        const { incident } = fixture;
        const stolen = await stolenCharges(fixture, [100_000]);
        const case_id = await fraudCase(fixture, stolen, 'open');
        await services.incidents.advance(incident.id, 'contained', fixture.admin.id);
        await services.incidents.advance(incident.id, 'remediated', fixture.admin.id);
        const before = await snapshotDatabase(fixture.db);
        await assert.rejects(services.incidents.advance(incident.id, 'closed', fixture.admin.id), (error: unknown) =>
          error instanceof FurikaeError && error.code === 'incident_has_open_items' && /1 open case/.test(error.message)
          && (error.details?.open_items as { cases_open: number }).cases_open === 1);
        assertNothingWritten(before, await snapshotDatabase(fixture.db));
        await services.cases.resolve(case_id, 'fraud', fixture.analyst.id, 'confirmed with the customer');
        const proposed = await services.compensations.propose({ incident_id: incident.id, source: { kind: 'case', case_id }, charges: [{ charge_id: stolen.charge_ids[0]! }] }, fixture.analyst.id);
        await refusedWithNothingWritten(fixture, 'incident_has_open_items', () => services.incidents.advance(incident.id, 'closed', fixture.admin.id));
        await services.compensations.approve(proposed.id, fixture.checker.id);
        assert.equal((await services.incidents.openItems(incident.id)).total, 0);
        const closed = await services.incidents.advance(incident.id, 'closed', fixture.admin.id, '全件補償済み All victims compensated');
        assert.ok(closed.closed_at);
        await refusedWithNothingWritten(fixture, 'incident_status_invalid', () => services.incidents.advance(incident.id, 'closed', fixture.admin.id));
        await refusedWithNothingWritten(fixture, 'incident_closed', () => services.incidents.attachCases(incident.id, [case_id], fixture.analyst.id));
      });
    });

    test('the timeline is read from what happened: status changes, switch flips on its operators, cases and compensations per day, campaigns', async () => {
      await withFixture(async (fixture) => {
        const { services } = fixture.bank;
        const { incident } = fixture;
        const stolen = await stolenCharges(fixture, [50_000, 50_000]);
        await services.operators.setSwitch(fixture.operator.id, 'new_links_suspended', true, { staff_id: fixture.admin.id, reason: '不正出金の疑い' });
        const other = await services.operators.register({ display_name: 'Other', passbook_label: 'OTHER' });
        await services.operators.setSwitch(other.operator.id, 'charges_suspended', true, { staff_id: fixture.admin.id, reason: 'not in this incident' });
        fixture.clock.advance(60_000);
        await services.operators.setSwitch(fixture.operator.id, 'new_links_suspended', false, { staff_id: fixture.admin.id, reason: 'reopened' });
        await services.operators.setSwitch(fixture.operator.id, 'new_links_suspended', true, { staff_id: fixture.admin.id, reason: 'closed again' });
        const case_id = await fraudCase(fixture, stolen);
        await services.incidents.advance(incident.id, 'contained', fixture.admin.id, 'switches flipped');
        const proposed = await services.compensations.propose({ incident_id: incident.id, source: { kind: 'case', case_id }, charges: stolen.charge_ids.map((charge_id) => ({ charge_id })) }, fixture.analyst.id);
        fixture.clock.advance(24 * 60 * 60_000);
        await services.compensations.approve(proposed.id, fixture.checker.id);

        const timeline = await services.incidents.timeline((await services.incidents.get(incident.id))!);
        const actions = timeline.map((entry) => entry.action);
        assert.deepEqual(actions.filter((action) => action === 'operator.switch').length, 3, 'only its own operator\'s flips');
        assert.ok(timeline.every((entry, index) => index === 0 || timeline[index - 1]!.at <= entry.at), 'oldest first');
        assert.equal(actions[0], 'incident.open');
        for (const expected of ['incident.attach_cases', 'incident.status', 'cases.opened', 'cases.fraud', 'compensations.proposed', 'compensations.approved', 'compensations.paid']) {
          assert.ok(actions.includes(expected), `${expected} is on the timeline`);
        }
        assert.match(timeline.find((entry) => entry.action === 'compensations.paid')!.summary, /1 · ¥100,000/);
        assert.match(timeline.find((entry) => entry.action === 'operator.switch')!.summary, /新規連携 new links 停止 suspended/);
        assert.equal(timeline.find((entry) => entry.action === 'operator.switch')!.reason, '不正出金の疑い');
      });
    });
  });
}
