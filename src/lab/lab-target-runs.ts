import assert from 'node:assert/strict';
import { openLabDatabase } from './open-lab-database.ts';
import { loadShippedScenarios, runLab } from './run-lab.ts';
import { HONEST_CHALLENGED_PCT_MAX, HONEST_DENIED_PCT_MAX } from './lab-report.ts';
import type { RunResult } from './run-scenario.ts';

/**
 * Support for the lab's target tests (docs/lab.md, "Targets"): one test file per shipped scenario, so CI runs them
 * side by side, each within the runner's per-file timeout. Each runs the scenario's quick version against both
 * configurations on PostgreSQL when the test run has one (as `furikae lab run` prefers), else on in-memory PGlite:
 * the targets are about the bank's decisions, not the storage, and one backend keeps CI's time in bounds (the storage
 * itself is tested on both, and src/lab/lab-determinism.test.ts runs the lab on both). Full size is `npm run bench`.
 */
export async function runQuickScenario(id: string): Promise<{ run(configuration: string): RunResult; runs: readonly RunResult[] }> {
  const postgres = process.env.TEST_POSTGRES_URL;
  const scenarios = (await loadShippedScenarios()).filter((loaded) => loaded.scenario.id === id);
  assert.equal(scenarios.length, 1, `${id} is shipped`);
  const results = await runLab({
    scenarios, quick: true,
    // A database of its own per run (a random name): the target files run side by side on one cluster.
    open_database: async () => openLabDatabase(postgres),
  });
  assert.deepEqual(results.runs.map((r) => r.configuration).sort(), ['2020', 'hardened'], `${id} ran against both configurations`);
  return {
    runs: results.runs,
    run(configuration) {
      const found = results.runs.find((candidate) => candidate.configuration === configuration);
      assert.ok(found, `${id} × ${configuration} ran`);
      return found;
    },
  };
}

/** How much a control caught in a run (links and yen), if it caught anything. */
export function caughtBy(result: RunResult, control: string): RunResult['measures']['theft']['caught_by'][number] | undefined {
  return result.measures.theft.caught_by.find((tally) => tally.control === control);
}

/** Honest customers in the hardened configuration: ≤ 2 % challenged and ≤ 0.1 % denied in every group, 65+ and dormant included. */
export function assertHonestFrictionWithinTargets(result: RunResult): void {
  assert.ok(result.measures.friction.some((group) => group.group === '65+'), `${result.scenario} has a 65+ group`);
  for (const group of result.measures.friction) {
    assert.ok(group.charges > 0, `${result.scenario}/${group.group}: charges were made`);
    assert.ok(group.challenged_pct <= HONEST_CHALLENGED_PCT_MAX,
      `${result.scenario}/${group.group}: ${group.challenged_pct} % challenged (${group.challenged} of ${group.charges} charges, by ${JSON.stringify(group.frictioned_by)}; at most ${HONEST_CHALLENGED_PCT_MAX} %)`);
    assert.ok(group.denied_pct <= HONEST_DENIED_PCT_MAX, `${result.scenario}/${group.group}: ${group.denied_pct} % denied`);
  }
}

/** attempted = stolen + recovered + refused, the stolen charges sum to the stolen yen, and no move failed unexpectedly. */
export function assertMeasuresAddUp(result: RunResult): void {
  assert.deepEqual(result.failures, [], `${result.scenario} × ${result.configuration}: every answer was one a capability expects`);
  const { theft } = result.measures;
  assert.equal(theft.stolen_yen + theft.recovered_yen + theft.blocked_yen, theft.attempted_yen, `${result.scenario} × ${result.configuration}`);
  assert.equal(theft.charges.filter((charge) => charge.fate === 'stolen').reduce((sum, charge) => sum + charge.amount_yen, 0), theft.stolen_yen);
}

/** The 2020 configuration lost money, per victim within a factor of ten of the seeds' figure, from most targeted customers. */
export function assertLostLikeTheSeeds(result: RunResult, yen_per_victim: number): void {
  const { theft } = result.measures;
  assert.ok(theft.stolen_yen > 0 && theft.victims > 0, `${result.scenario}: money was stolen`);
  const per_victim = theft.stolen_yen / theft.victims;
  assert.ok(per_victim >= yen_per_victim / 10 && per_victim <= yen_per_victim * 10, `${result.scenario}: ¥${per_victim} a victim`);
  assert.ok(theft.victims >= theft.victims_targeted / 2, `${result.scenario}: most targeted customers lost money (${theft.victims} of ${theft.victims_targeted})`);
}

/** The hardened configuration in a credential-only scenario: the attackers tried, made no link and stole ¥0. */
export function assertHardenedStoppedEverything(result: RunResult): void {
  const { theft } = result.measures;
  assert.ok(theft.links_attempted > 0, `${result.scenario}: the attackers tried`);
  assert.equal(theft.stolen_yen, 0, `${result.scenario}: ¥0 stolen`);
  assert.equal(theft.links_made, 0, `${result.scenario}: no link made`);
  assert.equal(theft.containment_seconds, 0);
}
