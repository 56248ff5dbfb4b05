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

/**
 * A tiny relayed code (lab/scenarios/relayed-code.yaml has the full one): the victims type every code they are sent
 * into the thief's page for half an hour (RELAY_SESSION_MINUTES_DEFAULT) and never heed a text, so only the bank's
 * rules stand between the thief and the money.
 */
const relay = checkScenario({
  id: 'tiny-relay', title: 'A relayed code, tiny', sources: ['lab/scenarios/relayed-code.yaml'], seed: 11,
  timeline: { start: '2025-09-01T00:00:00+09:00', days: 2, resolution_minutes: 5 },
  configurations: ['hardened', { id: 'hardened-codes-at-once', based_on: 'hardened', new_link_code_cooling_off_hours: 0 }],
  operators: [{ key: 'paypay', display_name: 'PayPay', passbook_label: 'ペイペイ' }],
  cohorts: [{ id: 'phished', customers: 3, age_years: { uniform: [25, 60] }, idle_days: 40, balance_yen: 300000, authenticator_share: 0, behaviours: [] }],
  attackers: [{
    id: 'relay', holds: [{ of: 'phished', what: ['password', 'name_and_birth_date', 'identity_document', 'relayed_code'] }],
    plays: [
      { capability: 'link-through-consent', operators: ['paypay'], per_day: 24, from_day: 0.2, victim_heeds_share: 0 },
      { capability: 'drain-link', first_charge_minutes: 5, interval_hours: { uniform: [1, 3] } },
      { capability: 'approve-as-victim', victim_heeds_share: 0 },
    ],
  }],
}, 'tiny-relay.yaml');

test('a relayed code approves a thief\'s held charges where codes approve a new link\'s charges at once, and none where they wait a day: by then the victim has left the fake page', async () => {
  const results = await runLab({ scenarios: [relay], quick: false, open_database: () => openLabDatabase(process.env.TEST_POSTGRES_URL) });
  const [waits, atOnce] = ['hardened', 'hardened-codes-at-once'].map((id) => results.runs.find((run) => run.configuration === id)!);
  for (const run of [waits!, atOnce!]) {
    assert.deepEqual(run.failures, [], `${run.configuration}: every answer was one the lab expects`);
    assert.equal(run.measures.theft.links_made, 3, `${run.configuration}: the relayed codes link every victim`);
  }
  const answers = (run: typeof waits) => run!.measures.theft.step_up_answers ?? {};
  assert.ok(atOnce!.measures.theft.stolen_yen >= 100_000 && (answers(atOnce).approved ?? 0) > 0,
    `codes at once: held charges approved by relay and paid (${JSON.stringify(answers(atOnce))})`);
  assert.equal(waits!.measures.theft.stolen_yen, 0, `a day's wait: nothing paid (${JSON.stringify(answers(waits))})`);
  assert.ok((answers(waits).new_link_cooling_off ?? 0) > 0, 'the page took no code in the link\'s first day');
  assert.ok((answers(waits).victim_left_fake_page ?? 0) > 0, 'after it, the victim was no longer typing codes in');
  assert.equal(answers(waits).approved, undefined);
});
