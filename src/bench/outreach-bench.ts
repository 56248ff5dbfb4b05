/**
 * Bulk outreach: how fast a campaign writes its notices into the outbox (set-based, one statement), against a
 * baseline measured in the same run on the same table (writing the same number of bare outbox rows, one per
 * customer, with nothing to join or personalise); and how fast one bank process then sends campaign e-mails to an
 * SMTP server on loopback. `npx tsx src/bench/outreach-bench.ts [--db postgres|pglite] [--customers N] [--runs N]`.
 */
import { createSmsSimulator } from '../notify/sms-simulator.ts';
import { createSimulatedSimSwapApi } from '../telecom/simulated-sim-swap-api.ts';
import { parseArgs } from 'node:util';
import type { Database } from '../storage/database.ts';
import { migrate } from '../storage/migrate.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { createBankServices } from '../bank-services.ts';
import { systemClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { DEMO_AUDIT_KEY, DEMO_NOT_ME_KEY } from '../config.ts';
import { insertLinkedCustomers } from '../testing/linked-customers.ts';
import { startMailSink } from '../notify/mail-sink.ts';
import { createSmtpMailChannel } from '../notify/smtp-mail-channel.ts';
import { createNotificationDispatcher } from '../notify/notification-dispatcher.ts';
import { createCampaignNoticeSource, CAMPAIGN_SENDS_PER_SECOND_MAX } from '../outreach/campaign-notice-source.ts';
import { createPostgresDatabase } from '../storage/postgres-database.ts';
import { createPgliteDatabase } from '../storage/pglite-database.ts';
import { createFreshDatabase, findPostgresBin, startThrowawayCluster } from '../testing/postgres-cluster.ts';

/** Customers written per statement while generating the population: keeps each statement's memory modest. */
const GENERATE_CHUNK_CUSTOMERS = 100_000;
/** The target: a million notices written in at most a minute on PostgreSQL. */
export const ENQUEUE_SECONDS_TARGET_PER_MILLION = 60;

export interface OutreachBenchRow {
  what: string;
  notices: number;
  median_seconds: number;
  per_second: number;
  ratio: string;
}

export interface OutreachBenchOptions {
  db: Database;
  customers: number;
  runs: number;
  /** Campaign e-mails to send through a dispatcher to a loopback SMTP server (0: skip). */
  send_notices: number;
  progress?: (line: string) => void;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;

/** Runs the outreach benchmark on a fresh database and returns its rows. */
export async function runOutreachBench({ db, customers, runs, send_notices, progress = () => {} }: OutreachBenchOptions): Promise<OutreachBenchRow[]> {
  await migrate(db, bankMigrationSets);
  const log = createLogger({ level: 'warn' });
  const services = await createBankServices({ db, clock: systemClock, ids: createIds(systemClock), log, credential_fingerprint_key: 'bench-credential-key-0123456789abcdef-0123', audit_key: DEMO_AUDIT_KEY,
    not_me_key: DEMO_NOT_ME_KEY, sms: createSmsSimulator({ clock: systemClock }), simSwap: createSimulatedSimSwapApi({ clock: systemClock }) });
  try {
    const { operator } = await services.operators.register({ display_name: 'ドコモ口座', passbook_label: 'ドコモ口座', link_methods_allowed: ['legacy_pin'] });
    const admin = await services.staff.create({ login_id: 'bench-admin', display_name: 'bench', password: 'bench-password-0123', role: 'admin' });
    const incident = await services.incidents.open({ title: 'bench', operator_ids: [operator.id], period_from: '2020-01-01', period_to: new Date().toISOString().slice(0, 10) }, admin.id);

    let started = process.hrtime.bigint();
    for (let made = 0, chunk = 0; made < customers; made += GENERATE_CHUNK_CUSTOMERS, chunk++) {
      await insertLinkedCustomers(db, { count: Math.min(GENERATE_CHUNK_CUSTOMERS, customers - made), operator_id: operator.id, prefix: `bench${chunk}`, now: new Date(), branch_code: String(300 + chunk).padStart(3, '0') });
    }
    await db.query('ANALYZE');
    progress(`generated ${customers.toLocaleString('en-US')} linked customers in ${seconds(started).toFixed(1)} s`);

    const baseline: number[] = [];
    const enqueue: number[] = [];
    const create: number[] = [];
    let last_campaign = '';
    for (let run = 1; run <= runs; run++) {
      await db.query('TRUNCATE notification_outbox');
      started = process.hrtime.bigint();
      const [bare] = await db.query<{ n: number }>(
        `WITH inserted AS (
           INSERT INTO notification_outbox (id, created_at, customer_id, channel, template, data, next_attempt_at, campaign_id)
           SELECT furikae_uuid_v7($1), $1, id, 'email', 'campaign_notice', '{}'::jsonb, $1, gen_random_uuid() FROM customers RETURNING 1)
         SELECT count(*)::int AS n FROM inserted`, [new Date()]);
      baseline.push(seconds(started));
      await db.query('TRUNCATE notification_outbox');
      await db.query(`UPDATE campaigns SET status = 'cancelled' WHERE status IN ('enqueuing', 'running')`);

      started = process.hrtime.bigint();
      const campaign = await services.campaigns.create({ incident_id: incident.id, segment: { kind: 'operator', operator_id: operator.id } }, admin.id);
      create.push(seconds(started));
      started = process.hrtime.bigint();
      const [written] = await services.campaigns.enqueuePending();
      enqueue.push(seconds(started));
      last_campaign = campaign.id;
      progress(`run ${run}: bare rows ${bare?.n} in ${baseline.at(-1)!.toFixed(1)} s; campaign check ${create.at(-1)!.toFixed(1)} s, ${written?.notices} notices written in ${enqueue.at(-1)!.toFixed(1)} s`);
    }

    const rows: OutreachBenchRow[] = [
      { what: `campaign: write ${customers.toLocaleString('en-US')} personalised notices (one statement)`, notices: customers, median_seconds: median(enqueue),
        per_second: customers / median(enqueue), ratio: `${(median(enqueue) / median(baseline)).toFixed(2)}× bare rows` },
      { what: 'campaign: start (role, incident, segment count)', notices: customers, median_seconds: median(create), per_second: customers / median(create), ratio: '' },
      { what: `baseline: write ${customers.toLocaleString('en-US')} bare outbox rows, same table`, notices: customers, median_seconds: median(baseline),
        per_second: customers / median(baseline), ratio: '1×' },
    ];

    if (send_notices > 0) {
      const sink = await startMailSink();
      const mail = createSmtpMailChannel({ smtp_url: sink.url, from: 'ふりかえ銀行 <notices@furikae-bank.example>' });
      try {
        const dispatcher = createNotificationDispatcher({
          db, clock: systemClock, log, sms: services.sms, mail, tokens: services.notMeTokens, public_url: 'http://bank.bench',
          bulk: createCampaignNoticeSource({ db, clock: systemClock, log, sends_per_second: CAMPAIGN_SENDS_PER_SECOND_MAX }),
        });
        started = process.hrtime.bigint();
        let sent = 0;
        while (sent < send_notices) sent += (await dispatcher.dispatchOnce()).sent;
        const elapsed = seconds(started);
        progress(`sent ${sent} campaign e-mails of campaign ${last_campaign} in ${elapsed.toFixed(1)} s`);
        rows.push({ what: 'campaign: send e-mails, one bank process, SMTP on loopback (rate limit off)', notices: sent, median_seconds: elapsed, per_second: sent / elapsed, ratio: '' });
      } finally {
        await mail.close();
        await sink.close();
      }
    }
    return rows;
  } finally {
    await services.close();
  }
}

/** Prints the rows as a Markdown table. */
export function printOutreachRows(rows: OutreachBenchRow[]): void {
  console.log('\n| what | notices | median s | per second | ratio |');
  console.log('|---|---:|---:|---:|---:|');
  for (const row of rows) {
    console.log(`| ${row.what} | ${row.notices.toLocaleString('en-US')} | ${row.median_seconds.toFixed(2)} | ${Math.round(row.per_second).toLocaleString('en-US')} | ${row.ratio} |`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { db: { type: 'string' }, customers: { type: 'string' }, runs: { type: 'string' }, send: { type: 'string' } } });
  const backend = values.db ?? 'postgres';
  const customers = Number(values.customers ?? (backend === 'pglite' ? 100_000 : 1_000_000));
  const runs = Number(values.runs ?? 3);
  const send_notices = Number(values.send ?? 10_000);
  let stop = () => undefined as void;
  let db: Database;
  if (backend === 'pglite') {
    db = await createPgliteDatabase();
  } else {
    let url = process.env.DATABASE_URL;
    if (!url) {
      const bin = findPostgresBin();
      if (!bin) throw new Error('PostgreSQL is not installed; run with --db pglite or set DATABASE_URL');
      const cluster = await startThrowawayCluster(bin);
      stop = () => cluster.stop();
      url = cluster.url;
    }
    db = await createPostgresDatabase({ url: await createFreshDatabase(url, 'furikae_bench_outreach') });
  }
  try {
    console.log(`# outreach bench on ${backend}: ${customers.toLocaleString('en-US')} customers, ${runs} runs, ${new Date().toISOString()}`);
    printOutreachRows(await runOutreachBench({ db, customers, runs, send_notices, progress: (line) => console.log(`# ${line}`) }));
  } finally {
    await db.close();
    stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
