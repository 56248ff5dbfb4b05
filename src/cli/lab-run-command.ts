import { parseArgs } from 'node:util';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Database } from '../storage/database.ts';
import { openLabDatabase } from '../lab/open-lab-database.ts';
import { findPostgresBin, startThrowawayCluster } from '../testing/postgres-cluster.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { formatYen } from '../shared/yen.ts';
import { loadScenarioFile, type LoadedScenario } from '../lab/load-scenario.ts';
import { loadShippedScenarios, runLab, type LabResults } from '../lab/run-lab.ts';
import { formatDuration, renderLabReport } from '../lab/lab-report.ts';
import { createProgressBar } from './progress-bar.ts';

export const LAB_RUN_HELP = `furikae lab run [SCENARIO] [--config ID] [--seed N] [--scenario FILE] [--quick] [--out DIR] [--db auto|pglite|postgres]
  Runs attack-lab scenarios through the bank's real entry points on a simulated clock, each against its
  configurations (2020 and hardened), prints a summary table and writes DIR/index.html and DIR/results.json.
  SCENARIO          a shipped scenario (furikae lab list); without one, every shipped scenario
  --scenario FILE   a scenario file of your own (JSON or YAML, lab/scenario.schema.json); checked before anything runs
  --config ID       only this configuration
  --seed N          this seed instead of each scenario's own (the same seed gives the same report)
  --quick           small populations (each scenario's quick.scale, default 0.1): minutes instead of tens of minutes
  --out DIR         where the report goes (default FURIKAE_LAB_REPORT_DIR or ./lab-report, where the console's Lab page looks)
  --db auto         (default) a throwaway PostgreSQL cluster if the system has initdb, else PGlite
  --db pglite       a fresh in-memory PGlite database per run (no server; slower for big runs)
  --db postgres     a fresh database named furikae_lab per run on DATABASE_URL's server, or on a throwaway cluster
`;

/** Name of the database the lab (re)creates on a PostgreSQL server for each run: never the bank's own. */
const LAB_DATABASE_NAME = 'furikae_lab';

function summaryLines(results: LabResults): string[] {
  const header = ['scenario', 'config', 'attempted', 'stolen', 'recovered', 'victims', 'links', 'first alert', 'contained', 'honest challenged / held / denied (worst group)'];
  const rows = results.runs.map((run) => {
    const { theft } = run.measures;
    const worst = (pick: (g: (typeof run.measures.friction)[number]) => number) => Math.max(0, ...run.measures.friction.map(pick)).toFixed(2);
    return [
      run.scenario, run.configuration, formatYen(theft.attempted_yen), formatYen(theft.stolen_yen), formatYen(theft.recovered_yen),
      `${theft.victims}/${theft.victims_targeted}`, `${theft.links_made}/${theft.links_attempted}`,
      theft.first_attempt_at === null ? '-' : formatDuration(theft.detection_seconds),
      theft.first_attempt_at === null ? '-' : theft.stolen_yen === 0 ? 'nothing stolen' : formatDuration(theft.containment_seconds),
      `${worst((g) => g.challenged_pct)} % / ${worst((g) => g.held_pct)} % / ${worst((g) => g.denied_pct)} %`,
    ];
  });
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => (column >= 2 && column <= 6 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

/** `furikae lab run`. */
export async function labRunCommand(args: string[], { database_url, lab_report_dir }: { database_url: string | undefined; lab_report_dir: string }): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      config: { type: 'string' }, seed: { type: 'string' }, scenario: { type: 'string' }, quick: { type: 'boolean' },
      out: { type: 'string' }, db: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(LAB_RUN_HELP);
    return 0;
  }
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && (!Number.isSafeInteger(seed) || seed < 0 || seed > 4294967295)) {
    console.error('furikae lab run: --seed must be a whole number from 0 to 4294967295');
    return 1;
  }
  const asked = values.db ?? 'auto';
  if (asked !== 'auto' && asked !== 'pglite' && asked !== 'postgres') {
    console.error('furikae lab run: --db must be auto, pglite or postgres');
    return 1;
  }
  // PostgreSQL runs the SQL in its own processes, beside the lab; in-memory PGlite shares the lab's one thread.
  const backend = asked === 'auto' ? (findPostgresBin() ? 'postgres' : 'pglite') : asked;
  const serverUrl = asked === 'postgres' ? database_url : undefined;
  if (positionals.length > 1 || (positionals.length === 1 && values.scenario)) {
    console.error('furikae lab run: name one shipped scenario or give --scenario FILE, not both');
    return 1;
  }

  let scenarios: LoadedScenario[];
  try {
    if (values.scenario) scenarios = [await loadScenarioFile(values.scenario)];
    else {
      scenarios = await loadShippedScenarios();
      if (positionals[0]) {
        scenarios = scenarios.filter(({ scenario }) => scenario.id === positionals[0]);
        if (scenarios.length === 0) {
          console.error(`furikae lab run: no shipped scenario "${positionals[0]}"; see furikae lab list`);
          return 1;
        }
      }
    }
  } catch (error) {
    if (error instanceof FurikaeError && error.code === 'lab_scenario_invalid') {
      console.error(`furikae lab run: ${error.message}\nNothing was run.`);
      return 1;
    }
    throw error;
  }
  if (values.config && !scenarios.some((loaded) => loaded.configurations.some((c) => c.id === values.config))) {
    console.error(`furikae lab run: no configuration "${values.config}"; these scenarios have: ${[...new Set(scenarios.flatMap((l) => l.configurations.map((c) => c.id)))].join(', ')}`);
    return 1;
  }

  let stopCluster = () => {};
  let adminUrl = serverUrl;
  if (backend === 'postgres' && !adminUrl) {
    const bin = findPostgresBin();
    if (!bin) {
      console.error('furikae lab run: PostgreSQL is not installed (no initdb found); use --db pglite or set DATABASE_URL');
      return 1;
    }
    const cluster = await startThrowawayCluster(bin);
    // Ctrl-C during a long run must not leave the throwaway server running (its stop is synchronous).
    const interrupted = (signal: NodeJS.Signals) => {
      cluster.stop();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    stopCluster = () => {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      cluster.stop();
    };
    adminUrl = cluster.url;
  }
  const open_database = async (): Promise<Database> => openLabDatabase(backend === 'pglite' ? undefined : adminUrl!, LAB_DATABASE_NAME);

  const bar = createProgressBar(process.stderr, 'lab');
  const say = (message: string) => process.stderr.write(`${process.stderr.isTTY ? '\r\u001b[K' : ''}${message}\n`);
  const started = Date.now();
  let results: LabResults;
  try {
    results = await runLab({
      scenarios, quick: values.quick ?? false, open_database,
      ...(values.config ? { configuration: values.config } : {}), ...(seed === undefined ? {} : { seed }),
      progress(event) {
        if (event.phase === 'done') {
          say(`${event.scenario} × ${event.configuration}: done in ${((event.elapsed_ms ?? 0) / 1000).toFixed(1)} s`);
          return;
        }
        // Opening the population is the first tenth of a run, the simulated time the next 85 %, measuring the rest.
        const within = event.phase === 'opening' ? 0.1 * event.fraction : event.phase === 'running' ? 0.1 + 0.85 * event.fraction : 0.95;
        bar.update(Math.round((event.index + within) * 1000), event.total * 1000, `run ${event.index + 1}/${event.total} ${event.scenario} × ${event.configuration}: ${event.phase}`);
      },
    });
  } finally {
    stopCluster();
  }
  const out = resolve(values.out ?? lab_report_dir);
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(out, 'index.html'), await renderLabReport(results));
  console.log(summaryLines(results).join('\n'));
  for (const run of results.runs.filter((r) => r.failures_count > 0)) {
    console.log(`\n${run.scenario} × ${run.configuration}: ${run.failures_count} move(s) failed with an answer no capability expects, e.g. ${run.failures[0]!.actor} at ${run.failures[0]!.at}: ${run.failures[0]!.message}`);
  }
  console.log(`\n${results.runs.length} run(s) in ${((Date.now() - started) / 1000).toFixed(1)} s. Report: ${join(out, 'index.html')} · data: ${join(out, 'results.json')}`);
  return 0;
}
