import type { Database } from '../storage/database.ts';
import { createSimulatedSimSwapApi } from '../telecom/simulated-sim-swap-api.ts';
import { openLabDatabase } from '../lab/open-lab-database.ts';
import { migrate } from '../storage/migrate.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { createBankApp } from '../bank-app.ts';
import { createSmsSimulator } from '../notify/sms-simulator.ts';
import { ManualClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { formatYen } from '../shared/yen.ts';
import { loadShippedScenarios, runLab } from '../lab/run-lab.ts';
import type { RunResult } from '../lab/run-scenario.ts';

/** The target: three simulated years of japan-post-2017-2020 at full size within five minutes here. */
export const JAPAN_POST_SECONDS_TARGET = 300;
/** Requests in the same-run baseline: enough for a steady rate, a second or two. */
const BASELINE_REQUESTS = 2000;

/** What the seeds report, for the 2020 configuration's comparison (docs/lab.md). */
const SEEDS: Record<string, { victims: number; yen: number }> = {
  'docomo-2020': { victims: 66, yen: 18_000_000 },
  'japan-post-2017-2020': { victims: 380, yen: 60_000_000 },
};

/** One lab run in the bench: its wall time and pace, and what it measured. */
export interface LabBenchRow {
  scenario: string;
  configuration: string;
  seconds: number;
  moves: number;
  moves_per_second: number;
  simulated_days_per_second: number;
  result: RunResult;
}

/** The same-run baseline: in-process requests per second through the bank's whole HTTP pipeline (inject GET /health). */
async function injectBaseline(db: Database): Promise<number> {
  await migrate(db, bankMigrationSets);
  const clock = new ManualClock();
  const bank = await createBankApp({ db, clock, ids: createIds(clock), log: createLogger({ level: 'silent' }), credential_fingerprint_key: 'lab-bench-credential-key-0123456789abcdef', audit_key: 'lab-bench-audit-chain-key-0123456789abcdef', not_me_key: 'lab-bench-not-me-key-0123456789abcdef012', sms: createSmsSimulator({ clock }), simSwap: createSimulatedSimSwapApi({ clock }), public_url: 'http://bank.lab', notice_polling: false, waiting_charge_jobs: false });
  try {
    const started = performance.now();
    for (let i = 0; i < BASELINE_REQUESTS; i++) await bank.app.inject({ method: 'GET', url: '/health' });
    return BASELINE_REQUESTS / ((performance.now() - started) / 1000);
  } finally {
    await bank.close();
    await db.close();
  }
}

/**
 * Runs every shipped lab scenario against both configurations (full size, or quick) and prints how long each took,
 * how fast the simulated time went, and what it measured, with the 2020 configuration beside the seeds' numbers.
 */
export async function runLabBench(options: { backend: 'postgres' | 'pglite'; quick: boolean; admin_url: string | undefined }): Promise<LabBenchRow[]> {
  const open_database = async (): Promise<Database> => openLabDatabase(options.backend === 'pglite' ? undefined : options.admin_url!, 'furikae_bench_lab');
  const baseline = await injectBaseline(await open_database());
  const elapsed = new Map<string, number>();
  const results = await runLab({
    scenarios: await loadShippedScenarios(), quick: options.quick, open_database,
    progress(event) {
      if (event.phase !== 'done') return;
      elapsed.set(`${event.scenario}×${event.configuration}`, (event.elapsed_ms ?? 0) / 1000);
      console.log(`# lab: ${event.scenario} × ${event.configuration} in ${((event.elapsed_ms ?? 0) / 1000).toFixed(1)} s`);
    },
  });
  const rows = results.runs.map((result): LabBenchRow => {
    const seconds = elapsed.get(`${result.scenario}×${result.configuration}`) ?? 0;
    return {
      scenario: result.scenario, configuration: result.configuration, seconds, moves: result.engine.moves,
      moves_per_second: result.engine.moves / seconds, simulated_days_per_second: result.timeline.days / seconds, result,
    };
  });
  console.log(`\n| lab run (${options.quick ? 'quick' : 'full size'}, ${options.backend}) | customers | wall s | simulated days/s | moves | moves/s | ratio | stolen | victims | honest challenged / denied (worst group) |`);
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const row of rows) {
    const { theft, friction } = row.result.measures;
    const worst = (pick: (group: (typeof friction)[number]) => number) => Math.max(0, ...friction.map(pick)).toFixed(2);
    console.log(`| ${row.scenario} × ${row.configuration} | ${row.result.population.customers} | ${row.seconds.toFixed(1)} | ${row.simulated_days_per_second.toFixed(2)} | ${row.moves} | ${row.moves_per_second.toFixed(1)} | ` +
      `${(row.moves_per_second / baseline).toFixed(4)}× inject /health | ${formatYen(theft.stolen_yen)} | ${theft.victims} | ${worst((g) => g.challenged_pct)} % / ${worst((g) => g.denied_pct)} % |`);
  }
  console.log(`\nbaseline: inject GET /health ${Math.round(baseline)}/s in this process, same run`);
  for (const row of rows.filter((r) => r.scenario === 'japan-post-2017-2020')) {
    const met = row.seconds <= JAPAN_POST_SECONDS_TARGET ? 'met' : 'MISSED';
    console.log(`japan-post-2017-2020 × ${row.configuration}: ${row.result.timeline.days} simulated days in ${row.seconds.toFixed(1)} s (target ≤ ${JAPAN_POST_SECONDS_TARGET} s${options.quick ? ', quick: not the target size' : ''}: ${met})`);
  }
  for (const row of rows.filter((r) => r.configuration === '2020' && SEEDS[r.scenario])) {
    const seed = SEEDS[row.scenario]!;
    const { theft } = row.result.measures;
    console.log(`${row.scenario} × 2020: ${formatYen(theft.stolen_yen)} from ${theft.victims} victims (${formatYen(Math.round(theft.stolen_yen / Math.max(1, theft.victims)))} each); the seeds: ${formatYen(seed.yen)} from ${seed.victims} (${formatYen(Math.round(seed.yen / seed.victims))} each)`);
  }
  return rows;
}

