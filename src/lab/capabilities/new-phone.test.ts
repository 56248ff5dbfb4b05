import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkScenario } from '../load-scenario.ts';
import { runLab } from '../run-lab.ts';
import { openLabDatabase } from '../open-lab-database.ts';

/**
 * A tiny patient SIM swap (lab/scenarios/sim-swap-patient.yaml has the full one, measured in docs/lab.md): the thief
 * swaps three victims' SIMs and links 80 hours later, past the carrier check's 72 hours, with the SMS codes. Beside
 * them two honest customers get a new phone on day 0 and link by SMS on day 4: to the carrier, the same change.
 * Nobody has an authenticator, so SMS is everyone's factor. Accounts opened 40 days before the start (a number on
 * record under 30 days old is recent-phone-number@1's business, not this test's).
 */
const scenario = checkScenario({
  id: 'tiny-patient-sim-swap', title: 'A patient SIM swap, tiny', sources: ['lab/scenarios/sim-swap-patient.yaml'], seed: 5,
  timeline: { start: '2025-09-01T00:00:00+09:00', days: 6, resolution_minutes: 10 },
  configurations: ['hardened'],
  operators: [{ key: 'paypay', display_name: 'PayPay', passbook_label: 'ペイペイ' }],
  cohorts: [
    { id: 'phished', customers: 3, age_years: { uniform: [25, 60] }, idle_days: 40, balance_yen: 300000, authenticator_share: 0, behaviours: [] },
    {
      id: 'new-phone', group: 'new-phone', customers: 2, age_years: { uniform: [25, 60] }, idle_days: 40, balance_yen: 300000, authenticator_share: 0,
      behaviours: [
        { capability: 'new-phone', at_day: 0 },
        { capability: 'link-account', operator: 'paypay', at_day: 4 },
        { capability: 'top-up', operator: 'paypay', per_month: 30, amount_yen: 3000, first_charge_hours: 1 },
      ],
    },
  ],
  attackers: [{
    id: 'patient-sim-swapper', holds: [{ of: 'phished', what: ['password', 'name_and_birth_date', 'identity_document', 'phone_number'] }],
    plays: [
      { capability: 'link-through-consent', operators: ['paypay'], per_day: 24, from_day: 0.2, sim_swap_lead_hours: 80 },
      { capability: 'drain-link' },
      { capability: 'approve-as-victim' },
    ],
  }],
}, 'tiny-patient-sim-swap.yaml');

test('a thief who links 80 h after the SIM swap gets links but no money, and an honest customer with a new phone has the same link’s charges held', async () => {
  const results = await runLab({ scenarios: [scenario], quick: false, open_database: () => openLabDatabase(process.env.TEST_POSTGRES_URL) });
  const [run] = results.runs;
  assert.deepEqual(run!.failures, [], 'every answer was one the lab expects');

  const { theft } = run!.measures;
  assert.equal(theft.links_made, 3, 'past the carrier window the SMS codes link every victim');
  assert.ok(theft.charges_attempted > 0);
  assert.equal(theft.stolen_yen, 0, JSON.stringify(theft.charges.map((charge) => [charge.answer, charge.fate, charge.controls])));
  assert.ok(theft.charges.every((charge) => charge.answer === 'held' || charge.fate === 'blocked'), 'the thief’s charges are held, never challenged by SMS');
  assert.ok(theft.caught_by.some((tally) => tally.control === 'sms-link-after-sim-swap@1' && tally.charges > 0), JSON.stringify(theft.caught_by));

  const honest = run!.measures.friction.find((group) => group.group === 'new-phone')!;
  assert.equal(honest.links_made, 2, 'the honest customers link with their new phone’s SMS codes');
  assert.ok(honest.charges > 0 && honest.held === honest.charges, `their top-ups on that link wait for staff: ${JSON.stringify(honest)}`);
  assert.ok(honest.frictioned_by.some((entry) => entry.rule === 'sms-link-after-sim-swap@1' && entry.charges === honest.charges), JSON.stringify(honest.frictioned_by));
});
