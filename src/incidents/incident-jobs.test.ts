import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { openSecondBankProcess } from '../testing/bank-fixture.ts';
import { createIncidentFixture, fraudCase, stolenCharges } from '../testing/incident-fixture.ts';
import { insertLinkedCustomers } from '../testing/linked-customers.ts';

/** Passes each process runs at once: more than one per process, as a slow pass and the next timer tick overlap. */
const PASSES_PER_PROCESS = 2;

// PostgreSQL only: two bank processes on one database exist only on a server (PGlite is one in-process connection,
// and runs one transaction at a time, so the passes could not overlap there).
const postgres = testBackends.find((backend) => backend.name === 'postgres')!;
describe('the incident jobs of two bank processes on one PostgreSQL database', { skip: postgres.skip }, () => {
  test('approved compensations left unpaid are each paid once, and each started campaign has its notices written once', async () => {
    const fixture = await createIncidentFixture(postgres);
    const second = await openSecondBankProcess(fixture);
    try {
      const { services } = fixture.bank;
      const processes = [services, second.bank.services];
      const before_yen = await services.core.balance(fixture.customer.account_id);
      const amounts_yen = [1_100, 1_200, 1_300, 1_400];
      const compensation_ids: string[] = [];
      for (const amount_yen of amounts_yen) {
        const stolen = await stolenCharges(fixture, [amount_yen]);
        const case_id = await fraudCase(fixture, stolen);
        const proposed = await services.compensations.propose(
          { incident_id: fixture.incident.id, source: { kind: 'case', case_id }, charges: [{ charge_id: stolen.charge_ids[0]! }] }, fixture.analyst.id);
        // Approved, not yet paid: what a process that died between the approval and the payment leaves for payDue.
        await fixture.db.query(`UPDATE compensations SET status = 'approved', approved_at = now(), approved_by = $2 WHERE id = $1`, [proposed.id, fixture.checker.id]);
        compensation_ids.push(proposed.id);
      }
      const stolen_yen = amounts_yen.reduce((sum, amount) => sum + amount, 0);
      assert.equal(await services.core.balance(fixture.customer.account_id), before_yen - stolen_yen);

      const passes = await Promise.all(processes.flatMap((process) => Array.from({ length: PASSES_PER_PROCESS }, () => process.compensations.payDue())));
      const outcomes = passes.flat();
      assert.equal(outcomes.filter((outcome) => outcome.kind === 'paid').length, compensation_ids.length, `each paid once (${outcomes.map((o) => o.kind).join(', ')})`);
      assert.equal(await services.core.balance(fixture.customer.account_id), before_yen, 'each stolen yen came back once');
      const [counts] = await fixture.db.query<{ paid: number; pays: number }>(
        `SELECT (SELECT count(*)::int FROM compensations WHERE id = ANY($1::uuid[]) AND status = 'paid') AS paid,
                (SELECT count(*)::int FROM audit_log WHERE action = 'compensation.pay') AS pays`, [compensation_ids]);
      assert.deepEqual(counts, { paid: compensation_ids.length, pays: compensation_ids.length });
      assert.equal((await services.ledger.checkInvariants()).ok, true);

      await insertLinkedCustomers(fixture.db, { count: 30, operator_id: fixture.operator.id, prefix: 'jobs', now: fixture.clock.now() });
      const segment = { kind: 'operator' as const, operator_id: fixture.operator.id };
      const size = await services.campaigns.segmentSize(fixture.incident.id, segment);
      const campaign_ids: string[] = [];
      for (const message of ['一通目 first', '二通目 second', '三通目 third']) {
        const campaign = await services.campaigns.create({ incident_id: fixture.incident.id, segment,
          message_ja: `ドコモ口座を通じた不正な引き落としについて (${message})`, message_en: `About fraudulent charges (${message})` }, fixture.admin.id);
        campaign_ids.push(campaign.id);
      }
      const written = (await Promise.all(processes.flatMap((process) => Array.from({ length: PASSES_PER_PROCESS }, () => process.campaigns.enqueuePending())))).flat();
      assert.deepEqual(written.map((entry) => entry.campaign_id).sort(), [...campaign_ids].sort(), 'each campaign written by one pass');
      for (const entry of written) assert.equal(entry.notices, size);
      const notices = await fixture.db.query<{ campaign_id: string; n: number; customers: number }>(
        `SELECT campaign_id, count(*)::int AS n, count(DISTINCT customer_id)::int AS customers FROM notification_outbox
          WHERE campaign_id = ANY($1::uuid[]) GROUP BY campaign_id`, [campaign_ids]);
      assert.deepEqual(notices.map((row) => [row.n, row.customers]), campaign_ids.map(() => [size, size]), 'one notice per customer per campaign');
    } finally {
      await second.close();
      await fixture.close();
    }
  });
});
