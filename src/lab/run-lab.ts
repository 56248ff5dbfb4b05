import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Database } from '../storage/database.ts';
import { loadScenarioFile, type LoadedScenario } from './load-scenario.ts';
import { QUICK_SCALE_DEFAULT, runScenario, type RunResult } from './run-scenario.ts';

/** Where the shipped scenarios live, in the package. */
export const SHIPPED_SCENARIOS_DIR = fileURLToPath(new URL('../../lab/scenarios/', import.meta.url));

/** The shipped scenarios, loaded and checked, in file-name order. */
export async function loadShippedScenarios(dir = SHIPPED_SCENARIOS_DIR): Promise<LoadedScenario[]> {
  const files = (await readdir(dir)).filter((name) => /\.(ya?ml|json)$/.test(name)).sort();
  return Promise.all(files.map((name) => loadScenarioFile(join(dir, name))));
}

/** What one `furikae lab run` produced: every scenario × configuration, in order. Deterministic for a seed: no wall-clock times. */
export interface LabResults {
  /** Bump when the file's shape changes, so the console can tell an old report. */
  format: 1;
  /** The seed given with --seed, or null when each scenario used its own. */
  seed: number | null;
  quick: boolean;
  scenarios: { id: string; title: string; summary: string | null; sources: string[]; file: string; configurations: { id: string; describes: string }[] }[];
  runs: RunResult[];
}

/** A run about to start or just finished, for progress bars. */
export interface LabProgress {
  scenario: string;
  configuration: string;
  /** Which run of how many. */
  index: number;
  total: number;
  phase: 'opening' | 'running' | 'measuring' | 'done';
  fraction: number;
  /** Wall time of the finished run, only with `done`. */
  elapsed_ms?: number;
}

/** What runLab runs: the scenarios, a configuration filter, the seed, the scale, and a fresh database per run. */
export interface RunLabOptions {
  scenarios: readonly LoadedScenario[];
  /** Only these configurations (by id); all of each scenario's when absent. */
  configuration?: string;
  seed?: number;
  quick: boolean;
  /** A fresh database per run. */
  open_database(): Promise<Database>;
  progress?(event: LabProgress): void;
}

/** Runs every scenario against each of its configurations, one after another. */
export async function runLab(options: RunLabOptions): Promise<LabResults> {
  const plan = options.scenarios.flatMap((loaded) => loaded.configurations
    .filter((configuration) => options.configuration === undefined || configuration.id === options.configuration)
    .map((configuration) => ({ loaded, configuration })));
  if (plan.length === 0) throw new Error(`no scenario has a configuration "${options.configuration}"`);
  const runs: RunResult[] = [];
  for (const [index, { loaded, configuration }] of plan.entries()) {
    const started = Date.now();
    const report = (phase: LabProgress['phase'], fraction: number, elapsed_ms?: number) => options.progress?.({
      scenario: loaded.scenario.id, configuration: configuration.id, index, total: plan.length, phase, fraction, ...(elapsed_ms === undefined ? {} : { elapsed_ms }),
    });
    report('opening', 0);
    runs.push(await runScenario(loaded.scenario, {
      configuration,
      seed: options.seed ?? loaded.scenario.seed,
      scale: options.quick ? loaded.scenario.quick?.scale ?? QUICK_SCALE_DEFAULT : 1,
      open_database: options.open_database,
      progress: ({ phase, fraction }) => report(phase, fraction),
    }));
    report('done', 1, Date.now() - started);
  }
  const used = new Set(plan.map(({ loaded }) => loaded));
  return {
    format: 1,
    seed: options.seed ?? null,
    quick: options.quick,
    scenarios: [...used].map(({ scenario, configurations, file }) => ({
      id: scenario.id, title: scenario.title, summary: scenario.summary ?? null, sources: scenario.sources, file: file.replace(/^.*\/lab\/scenarios\//, 'lab/scenarios/'),
      configurations: configurations.filter((c) => options.configuration === undefined || c.id === options.configuration).map((c) => ({ id: c.id, describes: c.describes })),
    })),
    runs,
  };
}
