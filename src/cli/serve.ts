import { serveSettingProblems, type Config } from '../config.ts';
import { createUnconfiguredSimSwapApi } from '../telecom/unconfigured-sim-swap-api.ts';
import { createBankApp, type BankApp } from '../bank-app.ts';
import { systemClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { noticeOptions } from '../notify/notice-options.ts';
import { createHttpSmsGateway } from '../notify/http-sms-gateway.ts';
import { createMetricsApp } from '../metrics/metrics-app.ts';
import { createStaffDirectory } from '../staff/staff-directory.ts';
import { demoSecretsInDatabase } from '../demo/demo-secrets-in-use.ts';
import type { Database } from '../storage/database.ts';
import { openStores } from './open-stores.ts';

/** The one message `furikae serve` exits with when it will not start: every reason, one per line. */
export function serveRefusal(problems: readonly string[]): string {
  return `furikae serve refuses to start: this is not a production configuration.\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n`
    + 'Set the missing settings (see "Configuration" in the README), or run `furikae demo` to try the bank with its demo secrets.';
}

/** Why `serve` refuses embedded PGlite unless told `--unsafe-embedded`. */
const EMBEDDED_REFUSAL = `DATABASE_URL is unset, so the bank would keep its books in embedded PGlite.
    PGlite is for the demo and the lab: it is one connection inside this process, so no second bank process can share
    it and there is no standby to fail over to. A bank's system of record is PostgreSQL: set DATABASE_URL=postgres://…
    To run on PGlite anyway (a trial, not a bank), pass --unsafe-embedded.`;

/** Every reason this configuration and this (opened, migrated) database may not serve: settings, then demo secrets stored. */
export async function serveProblems(env: NodeJS.ProcessEnv, bankDb: Database): Promise<string[]> {
  return [
    ...serveSettingProblems(env),
    ...await demoSecretsInDatabase({ db: bankDb, staff: createStaffDirectory({ db: bankDb, clock: systemClock, ids: createIds(systemClock) }) }),
  ];
}

/** The bank as `serve` runs it, wired only with real parts (the HTTP SMS gateway, the configured keys), not yet listening. */
export function createServedBank(config: Config, bankDb: Database, log: Logger): Promise<BankApp> {
  const sms = createHttpSmsGateway({ url: config.sms_gateway_url!, token: config.sms_gateway_token!, log: log.child({ part: 'sms' }) });
  return createBankApp({
    db: bankDb, clock: systemClock, ids: createIds(systemClock), log, credential_fingerprint_key: config.credential_fingerprint_key,
    // No carrier contract is configured yet: SMS is never trusted for money or a new factor (fail safe; README).
    public_url: config.public_url, ...(config.passkey_rp_id ? { passkey_rp_id: config.passkey_rp_id } : {}), sms, simSwap: createUnconfiguredSimSwapApi(), audit_key: config.audit_key, audit_anchor_file: config.audit_anchor_file, ...noticeOptions(config),
    lab_report_dir: config.lab_report_dir,
  });
}

/**
 * `furikae serve`: the bank alone in this process. It refuses to start, naming every reason, while a demo secret is
 * set or found in the database or a required setting is missing. /metrics is served on its own listener, never on
 * the public port. Resolves with the exit code. Several processes: src/cli/serve-workers.ts.
 */
export async function serve(config: Config, env: NodeJS.ProcessEnv, until: Promise<void>, options: { unsafe_embedded: boolean }): Promise<number> {
  const log = createLogger({ level: config.log_level ?? 'info' });
  if (!config.database_url && !options.unsafe_embedded) {
    // Refused before anything is opened: no PGlite folder is created for a bank that will not run.
    console.error(serveRefusal([EMBEDDED_REFUSAL, ...serveSettingProblems(env)]));
    return 1;
  }
  if (!config.database_url) log.warn({ data_dir: config.data_dir }, 'running on embedded PGlite (--unsafe-embedded): one process, no standby; not a system of record');
  const { bankDb } = await openStores(config, { wallet: false, log });
  try {
    const problems = await serveProblems(env, bankDb);
    if (problems.length > 0) {
      console.error(serveRefusal(problems));
      return 1;
    }
    const bank = await createServedBank(config, bankDb, log);
    const metrics = createMetricsApp({ metrics: bank.services.metrics, log: log.child({ part: 'metrics' }) });
    try {
      const address = await bank.app.listen({ host: config.host, port: config.bank_port });
      const metricsAddress = await metrics.listen({ host: config.metrics_host, port: config.metrics_port });
      console.log(`furikae bank listening on ${address} (public origin ${config.public_url}, docs at /docs); metrics at ${metricsAddress}/metrics`);
      await until;
    } finally {
      await metrics.close();
      await bank.close();
    }
    return 0;
  } finally {
    await bankDb.close();
  }
}
