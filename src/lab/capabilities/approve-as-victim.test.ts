import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkScenario } from '../load-scenario.ts';
import { runLab } from '../run-lab.ts';
import { openLabDatabase } from '../open-lab-database.ts';

/**
 * A tiny SIM swap (lab/scenarios/sim-swap.yaml has the full one, measured in docs/lab.md): the thief holds three
 * customers' passwords, names and dates of birth, swaps their SIMs, links a wallet at the bank's pages with the SMS
 * codes, drains it, and approves the charges the bank holds as the victim, again by SMS.
 * Accounts opened 40 days before the start: a number on record under 30 days old is a signal of its own
 * (recent-phone-number@1), which is not what this test is about.
 */
const scenario = checkScenario({
  id: 'tiny-sim-swap', title: 'A SIM swap, tiny', sources: ['lab/scenarios/sim-swap.yaml'], seed: 7,
  timeline: { start: '2025-09-01T00:00:00+09:00', days: 2, resolution_minutes: 5 },
  configurations: ['hardened', { id: 'hardened-no-carrier', based_on: 'hardened', asks_carrier_about_sim_swaps: false }],
  operators: [{ key: 'paypay', display_name: 'PayPay', passbook_label: 'ペイペイ' }],
  cohorts: [{ id: 'phished', customers: 3, age_years: { uniform: [25, 60] }, idle_days: 40, balance_yen: 300000, authenticator_share: 0, behaviours: [] }],
  attackers: [{
    id: 'sim-swapper', holds: [{ of: 'phished', what: ['password', 'name_and_birth_date', 'identity_document', 'phone_number'] }],
    plays: [
      { capability: 'link-through-consent', operators: ['paypay'], per_day: 24, from_day: 0.2 },
      { capability: 'drain-link' },
      { capability: 'approve-as-victim' },
    ],
  }],
}, 'tiny-sim-swap.yaml');

test('a SIM-swap thief drains through held charges approved by SMS where the bank does not ask the carrier, and links nothing where it does, with staff alerted at once', async () => {
  const results = await runLab({ scenarios: [scenario], quick: false, open_database: () => openLabDatabase(process.env.TEST_POSTGRES_URL) });
  const [asked, unasked] = ['hardened', 'hardened-no-carrier'].map((id) => results.runs.find((run) => run.configuration === id)!);
  for (const run of [asked!, unasked!]) assert.deepEqual(run.failures, [], `${run.configuration}: every answer was one the lab expects`);

  const before = unasked!.measures.theft;
  assert.equal(before.links_made, 3, 'without the carrier check, the SMS codes link every victim');
  assert.ok(before.stolen_yen > 0 && before.charges.some((charge) => charge.fate === 'stolen' && charge.controls.length > 0),
    `held charges were approved by SMS as the victim and paid: ${JSON.stringify(before.charges.map((charge) => [charge.answer, charge.fate]))}`);

  const after = asked!.measures.theft;
  assert.equal(after.links_made, 0);
  assert.equal(after.stolen_yen, 0);
  assert.deepEqual(after.caught_by.map((tally) => [tally.control, tally.links]), [['sim_swap_detected', 3]]);
  assert.ok(after.first_alert_at !== null && Date.parse(after.first_alert_at) - Date.parse(after.first_attempt_at!) <= 10 * 60_000,
    `staff alerted within 10 minutes of the first try (${after.first_attempt_at} → ${after.first_alert_at})`);
});
