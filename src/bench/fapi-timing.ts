/**
 * How long a hardened link and a DPoP charge take end to end, measured against a running bank on loopback with
 * openid-client as the operator (src/testing/fapi-operator.ts) and a cookie-keeping agent as the customer's browser
 * (src/testing/consent-walk.ts). A link is everything from signing the KYC attestation to holding the tokens: PAR,
 * the authorization URL, password login, TOTP, the consent page, approval with a second TOTP, the redirect back,
 * and the code exchange. A charge is one POST /v1/charges with a fresh DPoP proof, answered.
 * The customer's own time (reading, typing) is not in it: this is what the servers add.
 *
 *   npx tsx src/bench/fapi-timing.ts [--db pglite|postgres] [--links 10] [--charges 50]
 *
 * PostgreSQL comes from DATABASE_URL, or a throwaway cluster made with the system's initdb.
 */
import { parseArgs } from 'node:util';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { findPostgresBin, startThrowawayCluster } from '../testing/postgres-cluster.ts';
import { BENCH_RATE_LIMITS } from './bench-rate-limits.ts';
import { benchRiskConfig } from './bench-risk-config.ts';

/** Links measured unless told otherwise: each costs two scrypt password checks' worth of work, so a few seconds. */
const LINKS_DEFAULT = 10;
/** Charges measured unless told otherwise. */
const CHARGES_DEFAULT = 50;
/** ¥1,000 a charge: 50 of them stay inside the ¥300,000 monthly cap and the fixture customer's balance. */
const CHARGE_AMOUNT_YEN = 1000;
/** Untimed runs first, so JIT compilation and first connections do not count. */
const WARMUP_RUNS = 2;

const HANAKO = { name_kana: 'ヤマダ ハナコ', birth_date: '1948-03-15', phone: '090-1111-2222' };

function quantile(sorted: number[], q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

function summary(name: string, samples_ms: number[]): string {
  const sorted = [...samples_ms].sort((a, b) => a - b);
  const cells = [sorted.length, quantile(sorted, 0.5), quantile(sorted, 0.9), sorted[0]!, sorted.at(-1)!];
  return `| ${name} | ${cells[0]} | ${cells.slice(1).map((value) => (value as number).toFixed(1)).join(' | ')} |`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { db: { type: 'string', default: 'pglite' }, links: { type: 'string' }, charges: { type: 'string' } } });
  const backend_name = values.db;
  if (backend_name !== 'pglite' && backend_name !== 'postgres') throw new Error('--db must be pglite or postgres');
  const links = Number(values.links ?? LINKS_DEFAULT);
  const charges = Number(values.charges ?? CHARGES_DEFAULT);
  if (!Number.isSafeInteger(links) || links < 1 || !Number.isSafeInteger(charges) || charges < 1) throw new Error('--links and --charges must be positive whole numbers');

  let stopCluster = () => undefined as void;
  if (backend_name === 'postgres' && !process.env.TEST_POSTGRES_URL) {
    if (process.env.DATABASE_URL) {
      process.env.TEST_POSTGRES_URL = process.env.DATABASE_URL;
    } else {
      const bin = findPostgresBin();
      if (!bin) throw new Error('PostgreSQL is not installed (no initdb found); run with --db pglite or set DATABASE_URL');
      const cluster = await startThrowawayCluster(bin);
      stopCluster = () => cluster.stop();
      process.env.TEST_POSTGRES_URL = cluster.url;
    }
  }
  // Imported only now: the test backends read TEST_POSTGRES_URL when they load.
  const { testBackends } = await import('../testing/test-databases.ts');
  const { createBankFixture } = await import('../testing/bank-fixture.ts');
  const { createFapiOperator } = await import('../testing/fapi-operator.ts');
  const { enrolTotp, walkConsent } = await import('../testing/consent-walk.ts');
  const backend = testBackends.find((candidate) => candidate.name === backend_name)!;

  // One address plays every customer and the operator: the limiter runs, its limits out of reach. The charges all fall
  // within one hour of the frozen clock on one link, which the shipped velocity caps rightly deny after a few: the
  // benchmark's risk config lifts those caps, so every charge takes the allow path through the same rules and SQL.
  const fixture = await createBankFixture(backend, { listen: true, rate_limits: BENCH_RATE_LIMITS, risk: { config: benchRiskConfig() } });
  try {
    const totp_secret = await enrolTotp(fixture);
    const operator = await createFapiOperator({ bank_url: fixture.url, operators: fixture.bank.services.operators, now: () => fixture.clock.now() });

    async function link() {
      const started = performance.now();
      const { url, code_verifier } = await operator.startLink(await operator.attest(HANAKO));
      const walked = await walkConsent(fixture, url, { totp_secret });
      if (!walked.callback) throw new Error(`the bank did not send the browser back (status ${walked.status})`);
      const tokens = await operator.exchange(walked.callback, code_verifier);
      const elapsed_ms = performance.now() - started;
      // The next link's codes must be a fresh authenticator step; moving the frozen clock costs no time.
      fixture.clock.advance(30_000);
      return { elapsed_ms, access_token: tokens.access_token };
    }

    async function charge(access_token: string) {
      const started = performance.now();
      const response = await operator.charge(access_token, { amount_yen: CHARGE_AMOUNT_YEN });
      const body = await response.text();
      const elapsed_ms = performance.now() - started;
      // 202 is a charge the bank's risk step decided to challenge or hold: the same path, answered, so it counts.
      if (response.status !== 201 && response.status !== 202) throw new Error(`a charge answered ${response.status}: ${body}`);
      return elapsed_ms;
    }

    for (let run = 0; run < WARMUP_RUNS; run++) await charge((await link()).access_token);

    const link_ms: number[] = [];
    let access_token = '';
    for (let run = 0; run < links; run++) {
      const measured = await link();
      link_ms.push(measured.elapsed_ms);
      access_token = measured.access_token;
    }
    const charge_ms: number[] = [];
    for (let run = 0; run < charges; run++) charge_ms.push(await charge(access_token));

    // The load average says how much else the machine was doing: figures taken under load are slower than the code.
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${loadavg()[0]!.toFixed(1)}`;
    console.log(`# FAPI 2.0 link and DPoP charge, end to end on loopback; bank on ${backend_name}; ${machine}; ${new Date().toISOString().slice(0, 10)}`);
    console.log('| what | runs | median ms | p90 ms | min ms | max ms |');
    console.log('|---|---:|---:|---:|---:|---:|');
    console.log(summary('link (PAR → login → TOTP → consent → code exchange)', link_ms));
    console.log(summary(`charge (POST /v1/charges ¥${CHARGE_AMOUNT_YEN.toLocaleString('en')}, DPoP)`, charge_ms));
  } finally {
    await fixture.close();
    stopCluster();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
