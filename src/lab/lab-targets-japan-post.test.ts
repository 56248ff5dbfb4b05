import { describe, test, before } from 'node:test';
import { assertHardenedStoppedEverything, assertHonestFrictionWithinTargets, assertLostLikeTheSeeds, assertMeasuresAddUp, runQuickScenario } from './lab-target-runs.ts';

/** The lab's targets on japan-post-2017-2020's quick version (docs/lab.md, "Targets"): three simulated years. */
describe('the attack lab: japan-post-2017-2020, quick', () => {
  let lab: Awaited<ReturnType<typeof runQuickScenario>>;
  before(async () => {
    lab = await runQuickScenario('japan-post-2017-2020');
  });

  test('the 2020 configuration loses money, per victim of the seed’s order of magnitude (≈ ¥60M in ≈ 380 cases ≈ ¥160,000)', () => {
    assertLostLikeTheSeeds(lab.run('2020'), 160_000);
  });

  test('hardened: ¥0 stolen and no link made', () => {
    assertHardenedStoppedEverything(lab.run('hardened'));
  });

  test('honest customers in the hardened configuration: ≤ 2 % challenged and ≤ 0.1 % denied in every group, 65+ and dormant included', () => {
    assertHonestFrictionWithinTargets(lab.run('hardened'));
  });

  test('the measures add up for both configurations, and no move failed unexpectedly', () => {
    for (const result of lab.runs) assertMeasuresAddUp(result);
  });
});
