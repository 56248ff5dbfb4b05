import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkScenario } from '../load-scenario.ts';
import { runLab } from '../run-lab.ts';
import { openLabDatabase } from '../open-lab-database.ts';

/**
 * A tiny leaked-operator-database (lab/scenarios/leaked-operator-database.yaml has the full one, measured in
 * docs/lab.md): six customers link to the operator on the first day, and the thief charges each link from its own
 * server on the second. Small enough for CI; the containment by baselines needs a population, so it is measured there.
 */
const tiny = (configurations: unknown[]) => checkScenario({
  id: 'tiny-leak', title: 'A leaked operator database, tiny', sources: ['lab/scenarios/leaked-operator-database.yaml'], seed: 7,
  timeline: { start: '2025-06-01T00:00:00+09:00', days: 2, resolution_minutes: 60 },
  configurations,
  operators: [{ key: 'paypay', display_name: 'PayPay', passbook_label: 'ペイペイ' }],
  cohorts: [{
    id: 'typical', group: 'typical', customers: 6, age_years: { uniform: [25, 60] }, balance_yen: 300000, authenticator_share: 1,
    behaviours: [{ capability: 'link-account', operator: ['paypay'], at_day: { uniform: [0, 0.5] } }],
  }],
  attackers: [{
    id: 'thief', holds: [{ operator: 'paypay', what: ['operator_keys'] }],
    plays: [{ capability: 'charge-with-operator-keys', operator: 'paypay', at_day: 1.2, over_minutes: 10, amount_yen: 30000 }],
  }],
}, 'tiny-leak.yaml');

test('a leaked operator database used from the thief’s own server: every link is charged on the 2020 bank, and none where the operator registered its address', async () => {
  const results = await runLab({ scenarios: [tiny(['2020', 'hardened'])], quick: false, open_database: () => openLabDatabase(process.env.TEST_POSTGRES_URL) });
  const [before, after] = ['2020', 'hardened'].map((id) => results.runs.find((run) => run.configuration === id)!);
  for (const run of [before!, after!]) assert.deepEqual(run.failures, [], `${run.configuration}: every answer was one the lab expects`);
  assert.ok(before!.measures.theft.victims_targeted >= 4, `most customers linked (${before!.measures.theft.victims_targeted})`);
  assert.equal(before!.measures.theft.stolen_yen, before!.measures.theft.attempted_yen, '2020: every charge with the leaked link tokens went through');
  const hardened = after!.measures.theft;
  assert.ok(hardened.attempted_yen > 0, 'hardened: the thief tried');
  assert.equal(hardened.stolen_yen, 0, 'hardened: ¥0 stolen');
  assert.ok(hardened.charges.every((charge) => charge.fate === 'blocked'), JSON.stringify(hardened.charges.map((charge) => charge.answer)));
  assert.ok(hardened.caught_by.length > 0 && hardened.caught_by.every((tally) => /unauthorized_client|operator_source_not_registered|source/.test(tally.control)),
    `refused for the address it came from: ${JSON.stringify(hardened.caught_by)}`);
});
