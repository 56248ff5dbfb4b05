import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkScenario } from '../load-scenario.ts';
import { runLab } from '../run-lab.ts';
import { openLabDatabase } from '../open-lab-database.ts';

/**
 * Honest customers who link and charge ¥100,000 are challenged (a young link, a large amount, a new payee), and
 * approve at the bank's approval page: one group by SMS code, one by authenticator app. The approval page shows the
 * code form only once the factor is picked (for SMS, once the code is sent), so a lab that posted the first page's
 * form was refused and counted no honest approval at all. A code approves nothing on a link in its first day
 * (src/mfa/factor-policy.ts), so `first_charge_hours` says when the first charge comes after the link.
 * Accounts opened 40 days before the start: a number on record under 30 days old is a signal of its own
 * (recent-phone-number@1), which is not what this test is about.
 */
function tinyStepUp(first_charge_hours: number) {
  return checkScenario({
    id: 'tiny-step-up', title: 'Honest customers approve their own challenged charges', sources: ['src/stepup/approval-pages.ts'], seed: 9,
    timeline: { start: '2025-09-01T00:00:00+09:00', days: 3, resolution_minutes: 5 },
    configurations: ['hardened'],
    operators: [{ key: 'paypay', display_name: 'PayPay', passbook_label: 'ペイペイ' }],
    cohorts: [
      { id: 'by-sms', group: 'typical', customers: 4, authenticator_share: 0 },
      { id: 'by-app', group: 'heavy', customers: 4, authenticator_share: 1 },
    ].map((cohort) => ({
      ...cohort, age_years: { uniform: [25, 60] }, idle_days: 40, balance_yen: 900000,
      behaviours: [
        { capability: 'link-account', operator: ['paypay'], at_day: { uniform: [0, 0.5] } },
        { capability: 'top-up', operator: ['paypay'], per_month: 10, amount_yen: 100000, first_charge_hours },
        { capability: 'answer-step-up', complete_share: 1, delay_minutes: 1 },
      ],
    })),
    attackers: [],
  }, 'tiny-step-up.yaml');
}

const runTiny = async (first_charge_hours: number) =>
  (await runLab({ scenarios: [tinyStepUp(first_charge_hours)], quick: false, open_database: () => openLabDatabase(process.env.TEST_POSTGRES_URL) })).runs[0]!;

test('honest customers approve their own challenged charges at the approval page a day after linking, by SMS code and by authenticator app', async () => {
  const run = await runTiny(25);
  assert.deepEqual(run.failures, []);
  for (const group of ['typical', 'heavy']) {
    const friction = run.measures.friction.find((entry) => entry.group === group)!;
    assert.ok(friction.challenged >= 4, `${group}: the large charges were challenged (${friction.challenged})`);
    assert.equal(friction.step_ups_approved, friction.challenged, `${group}: every challenged charge was approved by its customer`);
  }
});

test('a challenged charge minutes after the link cannot be approved by a code, so an honest customer without a passkey approves none', async () => {
  const run = await runTiny(0.2);
  assert.deepEqual(run.failures, []);
  for (const group of ['typical', 'heavy']) {
    const friction = run.measures.friction.find((entry) => entry.group === group)!;
    assert.ok(friction.challenged >= 4, `${group}: the first large charges were challenged (${friction.challenged})`);
    assert.ok(friction.step_ups_approved < friction.challenged, `${group}: the charges in the link's first day were not approved (${friction.step_ups_approved} of ${friction.challenged})`);
  }
});
