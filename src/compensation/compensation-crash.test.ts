import { describe, test } from 'node:test';
import { createSimulatedSimSwapApi } from '../telecom/simulated-sim-swap-api.ts';
import { createSmsSimulator } from '../notify/sms-simulator.ts';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testBackends } from '../testing/test-databases.ts';
import { reopenableDatabase } from '../testing/reopenable-database.ts';
import { createIncidentFixture, fraudCase, stolenCharges } from '../testing/incident-fixture.ts';
import type { KillableChildInput } from '../testing/killable-bank-child.ts';
import { FIXTURE_CREDENTIAL_KEY, FIXTURE_AUDIT_KEY, FIXTURE_NOT_ME_KEY } from '../testing/bank-fixture.ts';
import { createBankServices } from '../bank-services.ts';
import { ManualClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { readPassbook } from '../bank/passbook.ts';

const CHILD = fileURLToPath(new URL('../testing/killable-bank-child.ts', import.meta.url));

/** Runs one action in a bank process that is SIGKILLed after `die_after_commits` commits; returns what it printed. */
function runKilledChild(input: KillableChildInput): { signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(input)], { encoding: 'utf8', timeout: 120_000 });
  return { signal: child.signal, stdout: child.stdout, stderr: child.stderr };
}

for (const backend of testBackends) {
  describe(`compensation across a crash on ${backend.name}`, { skip: backend.skip }, () => {
    for (const [when, die_after_commits] of [['between the approval and the payment', 1], ['just after the payment committed', 2]] as const) {
      test(`a bank process killed ${when} leaves the money moved exactly once after a restart`, async () => {
        const database = await reopenableDatabase(backend);
        try {
          const fixture = await createIncidentFixture(database.backend);
          const { services } = fixture.bank;
          const stolen = await stolenCharges(fixture, [100_000, 20_000]);
          const case_id = await fraudCase(fixture, stolen);
          const proposed = await services.compensations.propose(
            { incident_id: fixture.incident.id, source: { kind: 'case', case_id }, charges: stolen.charge_ids.map((charge_id) => ({ charge_id })) }, fixture.analyst.id);
          const before = await services.core.balance(fixture.customer.account_id);
          const ids = { compensation: proposed.id, customer_account: fixture.customer.account_id, checker: fixture.checker.id, admin: fixture.admin.id };
          const now = fixture.clock.now().toISOString();
          await fixture.close();

          const child = runKilledChild({ database: database.options, now, die_after_commits,
            action: { kind: 'approve_compensation', compensation_id: ids.compensation, staff_id: ids.checker } });
          assert.equal(child.signal, 'SIGKILL', `the child died by SIGKILL (stdout: ${child.stdout}, stderr: ${child.stderr.slice(0, 2000)})`);
          assert.match(child.stdout, new RegExp(`died after ${die_after_commits} commits`));

          // The bank restarts on the same database.
          const db = await database.open();
          const clock = new ManualClock(now);
          const restarted = await createBankServices({ db, clock, ids: createIds(clock), log: createLogger({ level: 'silent' }), credential_fingerprint_key: FIXTURE_CREDENTIAL_KEY, audit_key: FIXTURE_AUDIT_KEY, not_me_key: FIXTURE_NOT_ME_KEY, sms: createSmsSimulator({ clock }), simSwap: createSimulatedSimSwapApi({ clock }) });
          try {
            const after_kill = (await restarted.compensations.get(ids.compensation))!.compensation;
            assert.equal(after_kill.status, die_after_commits === 1 ? 'approved' : 'paid', 'the approval survived the kill');
            assert.equal(await restarted.core.balance(ids.customer_account), before + (die_after_commits === 1 ? 0 : 120_000));

            // Someone approves again (refused), the recovery pass pays what is due, and a retry finds it paid.
            await assert.rejects(restarted.compensations.approve(ids.compensation, ids.admin),
              (error: unknown) => error instanceof FurikaeError && error.code === 'compensation_not_proposed');
            const recovered = await restarted.compensations.payDue();
            assert.deepEqual(recovered.map((outcome) => outcome.kind), die_after_commits === 1 ? ['paid'] : []);
            assert.equal((await restarted.compensations.retryPayment(ids.compensation)).kind, 'already_paid');
            assert.deepEqual(await restarted.compensations.payDue(), []);

            assert.equal(await restarted.core.balance(ids.customer_account), before + 120_000, 'paid once');
            const lines = (await readPassbook(db, restarted.ledger, ids.customer_account)).filter((line) => line.label.startsWith('不正利用補償'));
            assert.equal(lines.length, 1);
            const [counts] = await db.query<{ notices: number; pays: number; transfers: number }>(
              `SELECT (SELECT count(*)::int FROM notification_outbox WHERE template = 'compensation_paid') AS notices,
                      (SELECT count(*)::int FROM audit_log WHERE action = 'compensation.pay') AS pays,
                      (SELECT count(*)::int FROM ledger_transfers WHERE user_data = $1) AS transfers`, [ids.compensation]);
            assert.deepEqual(counts, { notices: 1, pays: 1, transfers: 2 });
            assert.equal((await restarted.ledger.checkInvariants()).ok, true);
          } finally {
            await restarted.close();
            await db.close();
          }
        } finally {
          database.remove();
        }
      });
    }
  });
}

// Two checkers approving at the same moment, and two recovery passes at once, need two real connections: PGlite
// serialises every transaction, so only PostgreSQL can show the race.
const postgres = testBackends.find((backend) => backend.name === 'postgres')!;
describe('compensation under concurrent approvals on postgres', { skip: postgres.skip }, () => {
  test('two checkers approving the same compensation at once: one pays, the other is refused, the money moves once', async () => {
    const fixture = await createIncidentFixture(postgres);
    try {
      const { services } = fixture.bank;
      const stolen = await stolenCharges(fixture, [100_000]);
      const case_id = await fraudCase(fixture, stolen);
      const before = await services.core.balance(fixture.customer.account_id);
      for (let round = 0; round < 5; round++) {
        const charge = await stolenCharges(fixture, [1_000 + round]);
        const round_case = await fraudCase(fixture, charge);
        const proposed = await services.compensations.propose(
          { incident_id: fixture.incident.id, source: { kind: 'case', case_id: round_case }, charges: [{ charge_id: charge.charge_ids[0]! }] }, fixture.analyst.id);
        const settled = await Promise.allSettled([
          services.compensations.approve(proposed.id, fixture.checker.id),
          services.compensations.approve(proposed.id, fixture.admin.id),
          services.compensations.payDue(),
        ]);
        const approvals = settled.slice(0, 2);
        assert.equal(approvals.filter((s) => s.status === 'fulfilled').length, 1, 'one approval wins');
        const refused = approvals.find((s) => s.status === 'rejected') as PromiseRejectedResult;
        assert.equal((refused.reason as FurikaeError).code, 'compensation_not_proposed');
        assert.equal((await services.compensations.get(proposed.id))!.compensation.status, 'paid');
      }
      const proposed = await services.compensations.propose(
        { incident_id: fixture.incident.id, source: { kind: 'case', case_id }, charges: [{ charge_id: stolen.charge_ids[0]! }] }, fixture.analyst.id);
      await fixture.db.query(`UPDATE compensations SET status = 'approved', approved_at = now(), approved_by = $2 WHERE id = $1`, [proposed.id, fixture.checker.id]);
      const passes = await Promise.all([services.compensations.payDue(), services.compensations.payDue(), services.compensations.retryPayment(proposed.id)]);
      const kinds = [...passes[0], ...passes[1], passes[2]].map((outcome) => outcome.kind).sort();
      assert.equal(kinds.filter((kind) => kind === 'paid').length, 1, `paid once (${kinds.join(', ')})`);
      // Each round's charge left the account and came back once; so did the first ¥100,000.
      assert.equal(await services.core.balance(fixture.customer.account_id), before + 100_000);
      assert.equal((await services.ledger.checkInvariants()).ok, true);
    } finally {
      await fixture.close();
    }
  });
});
