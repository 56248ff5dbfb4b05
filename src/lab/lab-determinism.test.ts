import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { checkScenario } from './load-scenario.ts';
import { runScenario, type RunResult } from './run-scenario.ts';

/** A small scenario that uses every customer capability and the 2020 attack, on both configurations. */
const mini = checkScenario({
  id: 'mini', title: 'Mini', sources: ['a test'], seed: 11,
  // Late in a month, so a drained link's next month comes after its victim has pressed "this wasn't me".
  timeline: { start: '2020-08-20T00:00:00+09:00', days: 20, resolution_minutes: 30 },
  configurations: ['2020', 'hardened'],
  operators: [{ key: 'docomo', display_name: 'ドコモ口座', passbook_label: 'ドコモ口座' }],
  cohorts: [
    { id: 'honest', group: 'typical', customers: 6, age_years: { uniform: [30, 80] }, balance_yen: 500000, authenticator_share: 0.5, behaviours: [
      { capability: 'link-account', operator: 'docomo', at_day: { uniform: [0, 5] }, password_typo_share: 0.3, pin_typo_share: 0.3 },
      { capability: 'top-up', operator: 'docomo', per_month: 20, amount_yen: { choice: [3000, 50000] }, first_charge_hours: 0 },
      { capability: 'spend-cash', per_month: 4, amount_yen: 10000 },
      { capability: 'answer-step-up' },
    ] },
    { id: 'leaked', customers: 3, age_years: 75, balance_yen: 400000, behaviours: [
      { capability: 'report-not-me', read_share: 1, delay_days: 3 },
      { capability: 'answer-step-up', decline_unknown_share: 1 },
    ] },
  ],
  attackers: [{ id: 'ring', holds: [{ of: 'leaked', what: ['account_number', 'pin', 'name_and_birth_date'] }], plays: [
    { capability: 'link-with-leaked-pin', operators: ['docomo'], per_day: 2, from_day: 1 },
    { capability: 'drain-link', first_charge_minutes: 5 },
  ] }],
}, 'mini.json');

for (const backend of testBackends) {
  describe(`a lab run on ${backend.name}`, { skip: backend.skip }, () => {
    const runs = new Map<string, RunResult>();
    const once = async (configuration: string, seed: number) => {
      const key = `${configuration}/${seed}`;
      if (!runs.has(key)) {
        runs.set(key, await runScenario(mini.scenario, {
          configuration: mini.configurations.find((c) => c.id === configuration)!, seed, scale: 1, open_database: () => backend.open(),
        }));
      }
      return runs.get(key)!;
    };

    test('the same seed gives the same results, twice, for both configurations', async () => {
      for (const configuration of ['2020', 'hardened']) {
        const first = await once(configuration, 11);
        const second = await runScenario(mini.scenario, { configuration: mini.configurations.find((c) => c.id === configuration)!, seed: 11, scale: 1, open_database: () => backend.open() });
        assert.deepEqual(second, first, `${configuration}: a replay with the same seed measured the same`);
      }
    });

    test('it exercises what it claims: honest links and charges on both paths, a theft and a "not me" in 2020, nothing stolen hardened', async () => {
      const legacy = await once('2020', 11);
      const hardened = await once('hardened', 11);
      const honest = (run: RunResult) => run.measures.friction.find((group) => group.group === 'typical')!;
      assert.equal(honest(legacy).links_made, 6);
      assert.equal(honest(hardened).links_made, 6, 'every honest customer linked at the consent pages');
      assert.ok(honest(legacy).charges > 20 && honest(hardened).charges > 20);
      assert.ok(legacy.measures.theft.stolen_yen > 0);
      assert.ok(legacy.measures.theft.caught_by.some((tally) => tally.control === 'not-me: link frozen'), 'a victim froze a link with "this wasn\'t me"');
      assert.equal(hardened.measures.theft.stolen_yen, 0);
      assert.deepEqual([...legacy.failures, ...hardened.failures], [], 'no move failed unexpectedly');
    });

    test('another seed gives another run', async () => {
      const other = await once('2020', 12);
      assert.notDeepEqual(other.measures.theft.charges, (await once('2020', 11)).measures.theft.charges);
    });
  });
}
