import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../storage/open-database.ts';
import { createFreshDatabase } from '../testing/postgres-cluster.ts';
import { loadShippedScenarios, runLab, type LabResults } from './run-lab.ts';
import { HONEST_CHALLENGED_PCT_MAX, HONEST_DENIED_PCT_MAX } from './lab-report.ts';
import type { RunResult } from './run-scenario.ts';

/**
 * The targets the lab must show (docs/lab.md, "Targets"), on the quick versions of the shipped scenarios, both
 * configurations, on PostgreSQL when the test run has one (as `furikae lab run` prefers), else on in-memory PGlite:
 * the targets are about the bank's decisions, not the storage, and one backend keeps CI's time in bounds (the storage
 * itself is tested on both, and src/lab/lab-determinism.test.ts runs the lab on both). The full-size runs are in `npm run bench`.
 * This replaces the single replay test the lab started as: the 2020 attack against the hardened configuration opens
 * nothing and moves no money, the legacy path is refused by policy, and an attacker with the victim's password is
 * stopped at the second factor, which locks and is texted to the customer.
 */
describe('the attack lab, quick versions of the shipped scenarios', () => {
  let results: LabResults;
  const run = (scenario: string, configuration: string): RunResult => {
    const found = results.runs.find((candidate) => candidate.scenario === scenario && candidate.configuration === configuration);
    assert.ok(found, `${scenario} × ${configuration} ran`);
    return found;
  };
  const control = (result: RunResult, name: string) => result.measures.theft.caught_by.find((tally) => tally.control === name);

  before(async () => {
    const postgres = process.env.TEST_POSTGRES_URL;
    results = await runLab({
      scenarios: await loadShippedScenarios(), quick: true,
      open_database: async () => openDatabase(postgres ? { database_url: await createFreshDatabase(postgres, 'furikae_lab_targets') } : {}),
    });
  });

  test('every scenario ran against both configurations', () => {
    assert.deepEqual(results.runs.map((r) => `${r.scenario}×${r.configuration}`).sort(), [
      'docomo-2020×2020', 'docomo-2020×hardened', 'honest-population×2020', 'honest-population×hardened',
      'japan-post-2017-2020×2020', 'japan-post-2017-2020×hardened', 'pin-reverse-brute-force×2020', 'pin-reverse-brute-force×hardened',
    ]);
  });

  test('the 2020 configuration loses money in docomo-2020 and japan-post-2017-2020, per victim of the seeds’ order of magnitude', () => {
    // Seeds: Docomo ¥18M in 66 cases (≈ ¥270,000 each, at most ¥600,000); Japan Post Bank ≈ ¥60M in ≈ 380 (≈ ¥160,000).
    for (const [scenario, yen_per_victim] of [['docomo-2020', 270_000], ['japan-post-2017-2020', 160_000]] as const) {
      const { theft } = run(scenario, '2020').measures;
      assert.ok(theft.stolen_yen > 0 && theft.victims > 0, `${scenario}: money was stolen`);
      const per_victim = theft.stolen_yen / theft.victims;
      assert.ok(per_victim >= yen_per_victim / 10 && per_victim <= yen_per_victim * 10, `${scenario}: ¥${per_victim} a victim`);
      assert.ok(theft.victims >= theft.victims_targeted / 2, `${scenario}: most targeted customers lost money (${theft.victims} of ${theft.victims_targeted})`);
    }
  });

  test('the hardened configuration: ¥0 stolen in every credential-only scenario, and the attackers made no link', () => {
    for (const scenario of ['docomo-2020', 'japan-post-2017-2020', 'pin-reverse-brute-force']) {
      const { theft } = run(scenario, 'hardened').measures;
      assert.ok(theft.links_attempted > 0, `${scenario}: the attackers tried`);
      assert.equal(theft.stolen_yen, 0, `${scenario}: ¥0 stolen`);
      assert.equal(theft.links_made, 0, `${scenario}: no link made`);
      assert.equal(theft.containment_seconds, 0);
    }
  });

  test('pin-reverse-brute-force: with the 2020 path the spray links accounts; hardened, no link at all and the 2020 path is refused by policy', () => {
    assert.ok(run('pin-reverse-brute-force', '2020').measures.theft.links_made > 0, 'the common PINs opened some accounts on the 2020 path');
    const hardened = run('pin-reverse-brute-force', 'hardened').measures.theft;
    assert.equal(hardened.links_made, 0);
    assert.equal(control(run('pin-reverse-brute-force', 'hardened'), 'policy: no 2020 path')?.links, hardened.links_attempted);
  });

  test('docomo-2020 hardened: the legacy path is refused, the phished password meets the second factor, which locks, and the customer is told', () => {
    const hardened = run('docomo-2020', 'hardened');
    assert.ok((control(hardened, 'policy: no 2020 path')?.links ?? 0) > 0, 'the 2020 route is refused by the operator policy');
    assert.ok((control(hardened, 'second factor')?.links ?? 0) > 0, 'the attacker with the password got no further than the second factor');
    assert.ok(hardened.measures.theft.victims_told_of_locks > 0, 'a victim was texted that their factor locked');
    assert.equal(hardened.measures.theft.attempted_yen, 0, 'no charge could even be tried');
  });

  test('honest customers in the hardened configuration: ≤ 2 % challenged and ≤ 0.1 % denied in every group, 65+ included', () => {
    for (const result of results.runs.filter((r) => r.configuration === 'hardened')) {
      assert.ok(result.measures.friction.some((group) => group.group === '65+'), `${result.scenario} has a 65+ group`);
      for (const group of result.measures.friction) {
        assert.ok(group.charges > 0, `${result.scenario}/${group.group}: charges were made`);
        assert.ok(group.challenged_pct <= HONEST_CHALLENGED_PCT_MAX, `${result.scenario}/${group.group}: ${group.challenged_pct} % challenged`);
        assert.ok(group.denied_pct <= HONEST_DENIED_PCT_MAX, `${result.scenario}/${group.group}: ${group.denied_pct} % denied`);
      }
    }
  });

  test('the measures add up: attempted = stolen + recovered + refused, for every run, and no move failed unexpectedly', () => {
    for (const result of results.runs) {
      assert.deepEqual(result.failures, [], `${result.scenario} × ${result.configuration}: every answer was one a capability expects`);
      const { theft } = result.measures;
      assert.equal(theft.stolen_yen + theft.recovered_yen + theft.blocked_yen, theft.attempted_yen, `${result.scenario} × ${result.configuration}`);
      assert.equal(theft.charges.filter((charge) => charge.fate === 'stolen').reduce((sum, charge) => sum + charge.amount_yen, 0), theft.stolen_yen);
    }
  });
});
