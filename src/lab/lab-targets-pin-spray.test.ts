import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { assertHardenedStoppedEverything, assertHonestFrictionWithinTargets, assertMeasuresAddUp, caughtBy, runQuickScenario } from './lab-target-runs.ts';

/** The lab's targets on pin-reverse-brute-force's quick version (docs/lab.md, "Targets"). */
describe('the attack lab: pin-reverse-brute-force, quick', () => {
  let lab: Awaited<ReturnType<typeof runQuickScenario>>;
  before(async () => {
    lab = await runQuickScenario('pin-reverse-brute-force');
  });

  test('with the 2020 path the spray links accounts', () => {
    assert.ok(lab.run('2020').measures.theft.links_made > 0, 'the common PINs opened some accounts on the 2020 path');
  });

  test('hardened: no link at all, ¥0 stolen, and every attempt on the 2020 path is refused by policy', () => {
    const hardened = lab.run('hardened');
    assertHardenedStoppedEverything(hardened);
    assert.equal(caughtBy(hardened, 'policy: no 2020 path')?.links, hardened.measures.theft.links_attempted);
  });

  test('honest customers in the hardened configuration: ≤ 2 % challenged and ≤ 0.1 % denied in every group, 65+ and dormant included', () => {
    assertHonestFrictionWithinTargets(lab.run('hardened'));
  });

  test('the measures add up for both configurations, and no move failed unexpectedly', () => {
    for (const result of lab.runs) assertMeasuresAddUp(result);
  });
});
