/**
 * The failover drill at bench size (`npm run bench -- --only failover`): per round, a fresh PostgreSQL primary with a
 * synchronous standby, the bank in its own process on a multi-host DATABASE_URL with target_session_attrs=read-write,
 * and a charge load over keep-alive HTTP whose callers retry each Idempotency-Key after a 503 until a definitive
 * answer. The primary is killed with SIGKILL, the standby promoted after a detection delay, and the load runs on.
 * Afterwards every acknowledged charge is looked up on the new primary, doubles are counted, and the ledger's
 * invariants are checked. The baseline is the same load's charge rate before the kill, in the same round.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createFreshDatabase, findPostgresBin } from '../testing/postgres-cluster.ts';
import { startStandbyPair } from '../testing/standby-pair.ts';
import { openDatabase } from '../storage/open-database.ts';
import { checkInvariants } from '../ledger/check-invariants.ts';
import { startBenchServerProcess } from './bench-server-process.ts';

export interface FailoverDrillOptions {
  rounds: number;
  /** Seconds of load before the kill: the baseline rate is measured over the second half, once the bank is warm. */
  before_kill_seconds: number;
  /** Seconds of load after charges flow again (the retried backlog comes first, so this rate starts high). */
  after_recovery_seconds: number;
  /** Callers at once, each with its own keep-alive connection's worth of requests. */
  callers: number;
  links_count: number;
}

/** What one round measured. */
export interface FailoverRound {
  acknowledged: number;
  /** Definitive answers other than 201 (a risk decline, a step-up): they are answers, not losses. */
  other_answers: number;
  lost: number;
  doubled: number;
  unavailable_503: number;
  /** Answers that were neither definitive nor a 503 (a 500, a dropped socket): must be 0. */
  failures: number;
  invariants_ok: boolean;
  promoted_after_ms: number;
  first_charge_after_kill_ms: number;
  charges_per_second_before: number;
  charges_per_second_after: number;
}

/**
 * Between the kill and `pg_ctl promote`: the time a failover manager takes to decide the primary is dead. Real ones
 * take longer (Patroni's default TTL is 30 s); a second keeps the bench short while the bank must answer 503.
 */
export const FAILURE_DETECTION_MS = 1_000;
/** How long a caller waits before retrying a key after a 503 (shorter than Retry-After, so recovery shows promptly). */
const RETRY_WAIT_MS = 100;
/** The longest a round may wait for charges to flow again before it is reported as failed. */
const RECOVERY_TIMEOUT_MS = 60_000;

/** The bench's bank process on `database_url`, with the risk step on. */
function startBank(database_url: string, links_count: number) {
  return startBenchServerProcess({ BENCH_DATABASE_URL: database_url, BENCH_LINKS: String(links_count), BENCH_RISK: 'on' });
}

interface Answer { at_ms: number; status: number }

/** Callers charging `tokens` in turn, each key retried after 503 until definitive; stops when told and the keys in hand are answered. */
function startLoad(url: string, tokens: readonly string[], callers: number) {
  const answers: Answer[] = [];
  const acknowledged = new Map<string, string>();
  let serial = 0;
  let other_answers = 0;
  let stopping = false;
  async function caller() {
    while (!stopping) {
      const n = serial++;
      const key = `drill-${n}`;
      for (;;) {
        let status = 0;
        let body: { id?: string } = {};
        try {
          const response = await fetch(`${url}/v1/charges`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[n % tokens.length]}`, 'idempotency-key': key },
            body: '{"amount_yen":1}',
          });
          status = response.status;
          body = (await response.json().catch(() => ({}))) as { id?: string };
        } catch {
          status = 0; // The socket failed: no answer at all, which the report counts as a failure.
        }
        answers.push({ at_ms: performance.now(), status });
        if (status === 201 && body.id) acknowledged.set(key, body.id);
        else if (status !== 503 && status !== 0 && status < 500) other_answers += 1;
        if (status !== 503 && status !== 0) break;
        await sleep(RETRY_WAIT_MS);
      }
    }
  }
  const running = Promise.all(Array.from({ length: callers }, caller));
  return {
    answers, acknowledged,
    other_answers: () => other_answers,
    async stop() {
      stopping = true;
      await running;
    },
  };
}

/** Keys acknowledged but absent (or under another charge id) on the server at `url`, and keys stored twice. */
async function lostAndDoubled(url: string, acknowledged: ReadonlyMap<string, string>): Promise<{ lost: number; doubled: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ idempotency_key: string; ids: string[] }>(
      'SELECT idempotency_key, array_agg(id::text) AS ids FROM charges GROUP BY idempotency_key');
    const stored = new Map(rows.map((row) => [row.idempotency_key, row.ids]));
    const lost = [...acknowledged].filter(([key, id]) => !stored.get(key)?.includes(id)).length;
    const { rows: [transfers] } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT c.id FROM charges c LEFT JOIN ledger_transfers t ON t.id = c.id
        WHERE c.status = 'succeeded' GROUP BY c.id HAVING count(t.id) <> 1) AS odd`);
    return { lost, doubled: rows.filter((row) => row.ids.length > 1).length + (transfers?.n ?? 0) };
  } finally {
    await client.end();
  }
}

const rate = (answers: readonly Answer[], from_ms: number, to_ms: number) =>
  answers.filter((answer) => answer.status === 201 && answer.at_ms >= from_ms && answer.at_ms < to_ms).length / ((to_ms - from_ms) / 1000);

async function runRound(bin: string, options: FailoverDrillOptions, progress: (line: string) => void): Promise<FailoverRound> {
  const pair = await startStandbyPair(bin, { synchronous_commit: 'on' });
  try {
    const database = new URL(await createFreshDatabase(pair.direct_url('primary'))).pathname.slice(1);
    const bank = await startBank(pair.url(database), options.links_count);
    try {
      const load = startLoad(bank.url, bank.tokens, options.callers);
      const started_ms = performance.now();
      await sleep(options.before_kill_seconds * 1000);
      const killed_at_ms = performance.now();
      pair.killPrimary();
      await sleep(FAILURE_DETECTION_MS);
      pair.promoteStandby();
      const promoted_at_ms = performance.now();
      let first_ms: number | undefined;
      const deadline = promoted_at_ms + RECOVERY_TIMEOUT_MS;
      while (first_ms === undefined && performance.now() < deadline) {
        first_ms = load.answers.find((answer) => answer.status === 201 && answer.at_ms > promoted_at_ms)?.at_ms;
        await sleep(20);
      }
      if (first_ms === undefined) throw new Error(`no charge succeeded within ${RECOVERY_TIMEOUT_MS} ms of the promotion`);
      await sleep(options.after_recovery_seconds * 1000);
      const stopped_ms = performance.now();
      await load.stop();
      const new_primary = pair.direct_url('standby', database);
      const { lost, doubled } = await lostAndDoubled(new_primary, load.acknowledged);
      const db = await openDatabase({ database_url: new_primary });
      const invariants = await checkInvariants(db).finally(() => db.close());
      const round: FailoverRound = {
        acknowledged: load.acknowledged.size,
        other_answers: load.other_answers(),
        lost, doubled,
        unavailable_503: load.answers.filter((answer) => answer.status === 503).length,
        failures: load.answers.filter((answer) => answer.status === 0 || (answer.status >= 500 && answer.status !== 503)).length,
        invariants_ok: invariants.ok,
        promoted_after_ms: promoted_at_ms - killed_at_ms,
        first_charge_after_kill_ms: first_ms - killed_at_ms,
        // The first half warms the bank up (JIT, prepared statements, the pools): the baseline is the second half.
        charges_per_second_before: rate(load.answers, (started_ms + killed_at_ms) / 2, killed_at_ms),
        charges_per_second_after: rate(load.answers, first_ms, stopped_ms),
      };
      progress(`failover round: ${JSON.stringify(round)}`);
      return round;
    } finally {
      await bank.stop();
    }
  } finally {
    pair.stop();
  }
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Runs the rounds and prints one table, with the medians against the same rounds' pre-kill rate. */
export async function runFailoverDrillBench(options: FailoverDrillOptions, progress: (line: string) => void = () => undefined): Promise<FailoverRound[]> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('the failover drill needs PostgreSQL installed (initdb, pg_basebackup, pg_ctl): it builds its own primary and standby');
  const rounds: FailoverRound[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    progress(`failover round ${round} of ${options.rounds}: primary + synchronous standby, ${options.callers} callers, kill after ${options.before_kill_seconds} s`);
    rounds.push(await runRound(bin, options, progress));
  }
  console.log(`\nFailover drill: SIGKILL of the primary under load, pg_ctl promote of the synchronous standby ${FAILURE_DETECTION_MS} ms later (synchronous_commit on)`);
  console.log('| round | acknowledged | lost | doubled | 503s | failures | invariants | promoted after kill ms | first charge after kill ms | charges/s before kill | after recovery | ratio |');
  console.log('|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|');
  rounds.forEach((r, i) => {
    console.log(`| ${i + 1} | ${r.acknowledged} | ${r.lost} | ${r.doubled} | ${r.unavailable_503} | ${r.failures} | ${r.invariants_ok ? 'hold' : 'BROKEN'} | ${Math.round(r.promoted_after_ms)} | ${Math.round(r.first_charge_after_kill_ms)} | ${Math.round(r.charges_per_second_before)} | ${Math.round(r.charges_per_second_after)} | ${(r.charges_per_second_after / r.charges_per_second_before).toFixed(2)}× |`);
  });
  const first = median(rounds.map((r) => r.first_charge_after_kill_ms));
  const before = median(rounds.map((r) => r.charges_per_second_before));
  const after = median(rounds.map((r) => r.charges_per_second_after));
  const sum = (pick: (r: FailoverRound) => number) => rounds.reduce((total, r) => total + pick(r), 0);
  console.log(`\nmedian of ${rounds.length}: first charge ${Math.round(first)} ms after the kill (${Math.round(first - median(rounds.map((r) => r.promoted_after_ms)))} ms after the promotion); `
    + `charges ${Math.round(before)}/s before the kill, ${Math.round(after)}/s after (${(after / before).toFixed(2)}×); `
    + `in all ${sum((r) => r.acknowledged)} acknowledged, ${sum((r) => r.lost)} lost, ${sum((r) => r.doubled)} doubled, ${sum((r) => r.unavailable_503)} answers 503, ${sum((r) => r.failures)} failures`);
  return rounds;
}
