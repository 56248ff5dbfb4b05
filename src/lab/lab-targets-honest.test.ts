import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { assertHonestFrictionWithinTargets, assertMeasuresAddUp, runQuickScenario } from './lab-target-runs.ts';

/** The lab's false-positive baseline, honest-population's quick version (docs/lab.md, "Targets"). */
describe('the attack lab: honest-population, quick', () => {
  let lab: Awaited<ReturnType<typeof runQuickScenario>>;
  before(async () => {
    lab = await runQuickScenario('honest-population');
  });

  test('no attacker: nothing attempted nor stolen in either configuration', () => {
    for (const result of lab.runs) {
      assert.equal(result.measures.theft.attempted_yen, 0);
      assert.equal(result.measures.theft.stolen_yen, 0);
    }
  });

  test('honest customers in the hardened configuration: ≤ 2 % challenged and ≤ 0.1 % denied in every group, 65+ and dormant included', () => {
    assertHonestFrictionWithinTargets(lab.run('hardened'));
  });

  test('the measures add up for both configurations, and no move failed unexpectedly', () => {
    for (const result of lab.runs) assertMeasuresAddUp(result);
  });
});
