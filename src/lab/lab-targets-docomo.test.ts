import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { assertHardenedStoppedEverything, assertHonestFrictionWithinTargets, assertLostLikeTheSeeds, assertMeasuresAddUp, caughtBy, runQuickScenario } from './lab-target-runs.ts';

/**
 * The lab's targets on docomo-2020's quick version (docs/lab.md, "Targets"). This replaces the single replay test the
 * lab started as: the 2020 attack against the hardened configuration opens nothing and moves no money, the legacy
 * path is refused by policy, and an attacker with the victim's password is stopped at the second factor, which locks
 * and is texted to the customer.
 */
describe('the attack lab: docomo-2020, quick', () => {
  let lab: Awaited<ReturnType<typeof runQuickScenario>>;
  before(async () => {
    lab = await runQuickScenario('docomo-2020');
  });

  test('the 2020 configuration loses money, per victim of the seed’s order of magnitude (¥18M in 66 cases ≈ ¥270,000)', () => {
    assertLostLikeTheSeeds(lab.run('2020'), 270_000);
  });

  test('hardened: ¥0 stolen and no link made; the legacy path is refused, the phished password meets the second factor, which locks, and the customer is told', () => {
    const hardened = lab.run('hardened');
    assertHardenedStoppedEverything(hardened);
    assert.ok((caughtBy(hardened, 'policy: no 2020 path')?.links ?? 0) > 0, 'the 2020 route is refused by the operator policy');
    assert.ok((caughtBy(hardened, 'second factor')?.links ?? 0) > 0, 'the attacker with the password got no further than the second factor');
    assert.ok(hardened.measures.theft.victims_told_of_locks > 0, 'a victim was texted that their factor locked');
    assert.equal(hardened.measures.theft.attempted_yen, 0, 'no charge could even be tried');
  });

  test('honest customers in the hardened configuration: ≤ 2 % challenged and ≤ 0.1 % denied in every group, 65+ and dormant included', () => {
    assertHonestFrictionWithinTargets(lab.run('hardened'));
  });

  test('the measures add up for both configurations, and no move failed unexpectedly', () => {
    for (const result of lab.runs) assertMeasuresAddUp(result);
  });
});
