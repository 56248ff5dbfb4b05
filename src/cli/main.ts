#!/usr/bin/env node
/** The `furikae` command: demo | serve | migrate | seed | bench | audit verify | lab. */
import cluster from 'node:cluster';
import { createSimulatedSimSwapApi } from '../telecom/simulated-sim-swap-api.ts';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { serve } from './serve.ts';
import { parseWorkers, serveWorker, serveWorkers, WORKERS_PER_CORE_MAX, workerStopSignal } from './serve-workers.ts';
import { runStaffCommand, STAFF_COMMAND_HELP } from './staff-command.ts';
import { createBankServices } from '../bank-services.ts';
import { createSmsSimulator } from '../notify/sms-simulator.ts';
import { systemClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { seedDemoBank } from '../demo/demo-seed.ts';
import { openStores } from './open-stores.ts';
import { demoBanner, startDemo } from './start-demo.ts';
import { demoLoginsCommand } from './demo-logins-command.ts';
import { runBench } from '../bench/run-bench.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import { createFileAuditAnchorStore } from '../audit/file-audit-anchor-store.ts';
import { auditVerificationPassed, formatAuditVerification } from '../audit/format-audit-verification.ts';
import { incidentScanCommand } from './incident-scan-command.ts';
import { LAB_HELP, labCommand } from './lab-command.ts';
import { runIncidentCommand } from './incident-command.ts';
import { runOperatorCommand } from './operator-command.ts';

const HELP = `furikae — a bank's instant account-transfer service, hardened against the 2020 thefts

Usage: furikae <command> [options]

Commands:
  demo      migrate, seed the demo bank, and start the bank and the reference wallet (npm start)
  serve     migrate and start the bank alone
  migrate   apply database migrations and exit
  seed      seed the demo bank (customers, accounts, the 2020-policy wallet operator, a staff login) and exit
  bench     run the benchmarks and print a table (npm run bench)
  audit verify  check the staff audit log's keyed chain against the anchored heads; exits 1 at the first break
  incident scan  retrospective scan of a past window with today's rules and the scan typologies (--help for options)
  lab       the attack lab: lab run [SCENARIO] [--config ID] [--seed N] [--scenario FILE], lab list, lab history (docs/lab.md)
  incident  incidents: open, move, report to the regulator, campaigns (furikae incident --help)
  operator  operators' automatic containment: release it, set its level, bind their source addresses (furikae operator --help)
  staff add|enrol|unlock  provision console staff: a password and an authenticator secret, shown once

Options:
  -h, --help   show help for a command

Environment:
  DATABASE_URL      postgres://… of the PostgreSQL server (the system of record; serve requires it). Unset: the
                    demo runs on embedded PGlite
  FURIKAE_DATA_DIR  where PGlite keeps its files (default ./data)
  HOST              address to listen on (default 127.0.0.1)
  BANK_PORT         bank port (default 3000)
  WALLET_PORT       the 2020-policy wallet's port (default 3001)
  WALLET_SECURE_PORT  the hardened wallet's port (default 3002)
  LOG_LEVEL         fatal|error|warn|info|debug|trace|silent (default: info for serve, warn for demo and the
                    tools); --log-level LEVEL on the command line does the same
  FURIKAE_PUBLIC_URL  the bank's origin as customers and operators reach it (https://…; serve requires it)
  SMS_GATEWAY_URL   the HTTPS SMS gateway's send endpoint (serve requires it; the demo simulates SMS)
  SMS_GATEWAY_TOKEN SECRET: the bearer token for the SMS gateway (serve requires it)
  METRICS_HOST, METRICS_PORT  where /metrics listens, never on the public port (default 127.0.0.1:9464)
  FURIKAE_CREDENTIAL_KEY  secret key (32+ characters) for fingerprints of PINs and passwords tried; the same
                    in every bank process (default: a public demo key, not for production)
  SMTP_URL          smtp://host:port (or smtps://user:password@host:port) for customer e-mail notices; unset: the
                    demo runs its own SMTP sink (mail shown at /demo/mailbox), serve keeps e-mails in the outbox
  FURIKAE_MAIL_FROM the From of customer notices (default ふりかえ銀行 <notices@furikae-bank.example>)
  FURIKAE_NOT_ME_KEY  secret key (32+ characters) signing the "this wasn't me" links in notices; the same in every
                    bank process (default: a public demo key, not for production)
  FURIKAE_AUDIT_KEY  secret key (32+ characters) of the staff audit chain's HMACs; the same in every bank process,
                    never in the database (default: a public demo key, not for production)
  FURIKAE_AUDIT_ANCHOR_FILE  where the bank anchors the audit chain's head every 5 minutes, outside the database
                    (default FURIKAE_DATA_DIR/audit-anchors.jsonl); put it where the database's owner cannot write
  FURIKAE_LAB_REPORT_DIR  where furikae lab run writes its report and the console's Lab page reads it (default ./lab-report)
`;

const COMMAND_HELP: Record<string, string> = {
  staff: STAFF_COMMAND_HELP,
  audit: `furikae audit verify
  Walks the append-only audit log of staff actions from the first entry: each entry's HMAC-SHA256 under
  FURIKAE_AUDIT_KEY over its RFC 8785 JSON and the previous link (plain SHA-256 for entries written before the
  chain was keyed, up to the audit.chain_keyed mark), and checks every head the bank anchored in
  FURIKAE_AUDIT_ANCHOR_FILE: the chain must still hold each anchored entry unchanged and reach the newest one.
  Prints OK with the count, the head and the anchor coverage, and exits 0; otherwise prints the first broken
  entry (or UNANCHORED when no anchor exists yet) and exits 1.
`,
  demo: `furikae demo [--logins] [--log-level LEVEL]
  Starts the seeded bank and the reference wallets, prints URLs and demo logins. Data persists in FURIKAE_DATA_DIR.
  Logs warnings and errors only unless LOG_LEVEL or --log-level says otherwise (info logs every request).
  --logins prints the addresses and logins again (for a demo running with the same environment) and exits.
`,
  serve: `furikae serve [--workers N] [--port PORT] [--unsafe-embedded]
  Starts the bank (API, customer and staff pages) on BANK_PORT (or --port) with real parts only, on the PostgreSQL server
  DATABASE_URL names, and /metrics on METRICS_HOST:METRICS_PORT. Refuses to start, naming every reason, while
  DATABASE_URL is unset (embedded PGlite is one in-process connection with no standby, for the demo and the lab;
  --unsafe-embedded starts on it anyway, synced on commit), a secret (FURIKAE_CREDENTIAL_KEY, FURIKAE_NOT_ME_KEY,
  FURIKAE_AUDIT_KEY) is unset or the public demo key, FURIKAE_PUBLIC_URL, SMS_GATEWAY_URL or SMS_GATEWAY_TOKEN is
  unset, or the database holds a demo operator secret, demo staff password or demo authenticator secret.
  GET /health answers while the process runs (liveness); GET /ready answers 200 only while the database does (readiness).
  --workers N runs N bank processes on the one port and database (default 1; at most ${WORKERS_PER_CORE_MAX} per core, PostgreSQL
  only): the primary migrates and checks once, forks them, serves /metrics summed over them, replaces one that dies
  (giving up if they keep dying), and on SIGTERM or SIGINT lets each drain before it stops.
`,
  migrate: 'furikae migrate\n  Applies pending migrations to the bank and wallet databases, then exits.\n',
  seed: 'furikae seed\n  Seeds the demo bank once; running it again changes nothing.\n',
  lab: LAB_HELP,
  bench: `furikae bench [--db postgres|pglite] [--quick] [--only scan|lab|hardened|failover]
  Runs the ledger benchmark (batched engine against a naive one-transaction-per-transfer engine, same run)
  and the end-to-end HTTP charge benchmark, and prints a table with ratios, medians and p99s; then every attack-lab
  scenario against both configurations with its run time.
  --db postgres (default) uses DATABASE_URL or starts a throwaway cluster with the system's initdb.
  --quick runs smaller loads (for a smoke check).
  --only scan runs only the retrospective scan's rows: generated history of 1M and 10M charges on PostgreSQL and
  1M on PGlite (100,000 with --quick), scan speed against a same-run read of the ledger, recall and precision.
  --only lab runs only the attack lab: every shipped scenario against both configurations, full size (quick with
  --quick), with run times against a same-run inject baseline (docs/lab.md).
  --only hardened runs only the hardened charge path (PostgreSQL): DPoP-bound tokens from real FAPI links, a fresh
  proof per request, the risk step on, 64 connections, 200 links over 100 customers; median of 3 rounds against
  the same run's GET /health.
  --only failover runs only the failover drill: per round a primary and a synchronous standby of its own, the bank
  on a multi-host DATABASE_URL, the primary killed under load and the standby promoted; charges lost, doubled,
  503s, and the time until charges flow again against the pre-kill rate (5 rounds; 1 with --quick; docs/scaling.md).
`,
};

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'incident' && argv[1] === 'scan') return incidentScanCommand(argv.slice(2), loadConfig());
  // The lab's subcommands (run, list, schema, history) parse their own options.
  if (argv[0] === 'lab') return labCommand(argv.slice(1), loadConfig());
  if (argv[0] === 'incident') return runIncidentCommand(argv.slice(1), () => loadConfig());
  if (argv[0] === 'operator') return runOperatorCommand(argv.slice(1), () => loadConfig());
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' }, db: { type: 'string' }, quick: { type: 'boolean' }, only: { type: 'string' },
      'unsafe-embedded': { type: 'boolean' }, name: { type: 'string' }, role: { type: 'string' },
      logins: { type: 'boolean' }, 'log-level': { type: 'string' }, workers: { type: 'string' }, port: { type: 'string' },
    },
  });
  const [command] = positionals;
  if (!command) {
    console.log(HELP);
    return values.help ? 0 : 1;
  }
  if (!(command in COMMAND_HELP)) {
    console.error(`furikae: unknown command "${command}"\n\n${HELP}`);
    return 1;
  }
  if (values.help) {
    console.log(COMMAND_HELP[command]);
    return 0;
  }
  // --log-level stands in for LOG_LEVEL and --port for BANK_PORT, checked the same way.
  const env = {
    ...process.env,
    ...(values['log-level'] === undefined ? {} : { LOG_LEVEL: values['log-level'] }),
    ...(values.port === undefined ? {} : { BANK_PORT: values.port }),
  };
  const config = loadConfig(env);
  switch (command) {
    case 'demo': {
      if (values.logins) return demoLoginsCommand(config);
      const demo = await startDemo(config);
      console.log(demoBanner(demo, config));
      await waitForSignal();
      await demo.close();
      return 0;
    }
    case 'serve': {
      const workers = parseWorkers(values.workers, availableParallelism());
      if (!workers.ok) {
        console.error(`furikae serve: ${workers.problem}`);
        return 1;
      }
      // A worker runs this same command line, forked by the primary (src/cli/serve-workers.ts).
      if (cluster.isWorker) return serveWorker(config, workerStopSignal());
      if (workers.workers > 1) return serveWorkers(config, env, waitForSignal(), { workers: workers.workers });
      return serve(config, env, waitForSignal(), { unsafe_embedded: values['unsafe-embedded'] ?? false });
    }
    case 'migrate': {
      const { bankDb, walletDb, walletSecureDb } = await openStores(config, { wallet: true });
      await bankDb.close();
      await walletDb?.close();
      await walletSecureDb?.close();
      console.log('migrations applied');
      return 0;
    }
    case 'seed': {
      const { bankDb } = await openStores(config, { wallet: false });
      // Seeding is the demo's: it sends nothing, so its SMS channel is the simulator, and serve refuses what it writes.
      const services = await createBankServices({
        db: bankDb, clock: systemClock, ids: createIds(systemClock), log: createLogger({ level: 'warn' }), credential_fingerprint_key: config.credential_fingerprint_key,
        not_me_key: config.not_me_key, public_url: config.public_url, sms: createSmsSimulator({ clock: systemClock }), simSwap: createSimulatedSimSwapApi({ clock: systemClock }),
        audit_key: config.audit_key, audit_anchor_file: config.audit_anchor_file,
      });
      const { seeded } = await seedDemoBank(services);
      console.log(seeded ? 'demo bank seeded' : 'demo bank already seeded; nothing changed');
      await services.close();
      await bankDb.close();
      return 0;
    }
    case 'staff':
      return runStaffCommand(config, positionals.slice(1), { ...(values.name ? { name: values.name } : {}), ...(values.role ? { role: values.role } : {}) });
    case 'audit': {
      if (positionals[1] !== 'verify') {
        console.error(`furikae audit: unknown subcommand "${positionals[1] ?? ''}"\n\n${COMMAND_HELP.audit}`);
        return 1;
      }
      const { bankDb } = await openStores(config, { wallet: false });
      try {
        const anchors = createFileAuditAnchorStore(config.audit_anchor_file);
        const audit = createAuditLog({ db: bankDb, clock: systemClock, ids: createIds(systemClock), key: config.audit_key, anchors });
        const result = await audit.verify();
        const passed = auditVerificationPassed(result);
        (passed ? console.log : console.error)(formatAuditVerification(result, anchors.location));
        return passed ? 0 : 1;
      } finally {
        await bankDb.close();
      }
    }
    case 'bench': {
      const db = values.db ?? 'postgres';
      if (db !== 'postgres' && db !== 'pglite') {
        console.error('furikae bench: --db must be postgres or pglite');
        return 1;
      }
      if (values.only !== undefined && values.only !== 'scan' && values.only !== 'lab' && values.only !== 'hardened' && values.only !== 'failover') {
        console.error('furikae bench: --only takes scan, lab, hardened or failover');
        return 1;
      }
      await runBench({ backend: db, quick: values.quick ?? false, database_url: config.database_url, only_scan: values.only === 'scan', only_lab: values.only === 'lab', only_hardened: values.only === 'hardened', only_failover: values.only === 'failover' });
      return 0;
    }
  }
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
