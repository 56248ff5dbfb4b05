import { join } from 'node:path';
import { createSimulatedSimSwapApi } from '../telecom/simulated-sim-swap-api.ts';
import { mkdirSync } from 'node:fs';
import type { Config } from '../config.ts';
import { createBankApp, type BankApp } from '../bank-app.ts';
import { createWalletApp } from '../wallet/wallet-app.ts';
import { createEkycSimulator } from '../wallet/ekyc-simulator.ts';
import { walletMigrations } from '../wallet/wallet-migrations.ts';
import { WALLET_SMS_SIMULATOR_PATH } from '../wallet/routes/sms-simulator-routes.ts';
import { ledgerMigrations } from '../ledger/ledger-migrations.ts';
import { createSmsSimulator, type SmsSimulator } from '../notify/sms-simulator.ts';
import { migrate } from '../storage/migrate.ts';
import { openDatabase } from '../storage/open-database.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import type { DestinationStream } from 'pino';
import {
  DEMO_CUSTOMERS, DEMO_SECURE_WALLET, DEMO_SECURE_WALLET_CLIENT_ID, DEMO_SECURE_WALLET_CLIENT_SECRET, DEMO_STAFF, DEMO_STAFF_MEMBERS, DEMO_STAFF_TOTP_SECRET,
  DEMO_WALLET_CLIENT_ID, DEMO_WALLET_CLIENT_SECRET, seedDemoBank, seedDemoHardenedOperator,
} from '../demo/demo-seed.ts';
import { openStores } from './open-stores.ts';
import { startMailSink } from '../notify/mail-sink.ts';
import { mailboxPage, MAILBOX_PATH } from '../notify/mailbox-page.ts';
import { smsSimulatorPage, SMS_SIMULATOR_PATH } from '../notify/sms-simulator-page.ts';
import { demoAuthenticatorPage, DEMO_AUTHENTICATOR_PATH } from '../demo/demo-authenticator-page.ts';
import { createMetricsApp, METRICS_PATH } from '../metrics/metrics-app.ts';
import { noticeOptions } from '../notify/notice-options.ts';

/** The demo's servers, as started: where they are, and handles for tests and the lab. */
export interface RunningDemo {
  bank_url: string;
  /** The 2020-policy wallet. */
  wallet_url: string;
  /** The hardened wallet (phone + eKYC sign-up, FAPI 2.0 link). */
  wallet_secure_url: string;
  /** The running bank, for tests and the lab (e.g. enrolling a customer's authenticator). */
  bank: BankApp;
  /** The bank's SMS channel: a simulator whose inbox is at `${bank_url}/simulator/sms`. */
  bank_sms: SmsSimulator;
  /** The hardened wallet's own SMS gateway: a simulator whose inbox is also at `${wallet_secure_url}/simulator/sms`. */
  wallet_secure_sms: SmsSimulator;
  /** Where Prometheus metrics are served: the bank's metrics listener, not its public port. */
  metrics_url: string;
  /** Where the demo shows the e-mails the bank sent, when it runs its own SMTP sink (SMTP_URL unset). */
  mailbox_url: string | undefined;
  close(): Promise<void>;
}

/**
 * The demo logs warnings and errors only, unless LOG_LEVEL or --log-level says otherwise: at info every request is a
 * line, and the start-up text with the logins would scroll away at the first page a person opens.
 */
export const DEMO_LOG_LEVEL_DEFAULT = 'warn';

/** The demo's logger: LOG_LEVEL (or --log-level) when given, else warnings and errors only. */
export function createDemoLogger(config: Config, destination?: DestinationStream): Logger {
  return createLogger({ level: config.log_level ?? DEMO_LOG_LEVEL_DEFAULT }, destination);
}

/** Where the demo's pages are: a running demo's listen addresses, or what the configuration names (`furikae demo --logins`). */
export type DemoAddresses = Pick<RunningDemo, 'bank_url' | 'wallet_url' | 'wallet_secure_url' | 'metrics_url' | 'mailbox_url'>;

/** The addresses a demo started with `config` listens on, worked out without starting it. */
export function configuredDemoAddresses(config: Config): DemoAddresses {
  const origin = (host: string, port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const bank_url = origin(config.host, config.bank_port);
  return {
    bank_url,
    wallet_url: origin(config.host, config.wallet_port),
    wallet_secure_url: config.wallet_secure_public_url,
    metrics_url: `${origin(config.metrics_host, config.metrics_port)}${METRICS_PATH}`,
    mailbox_url: config.smtp_url ? undefined : `${bank_url}${MAILBOX_PATH}`,
  };
}

/** Starts the seeded bank, the 2020-policy wallet and the hardened wallet, and returns their URLs. `clock` is for tests. */
export async function startDemo(config: Config, options: { clock?: Clock } = {}): Promise<RunningDemo> {
  const log = createDemoLogger(config);
  const clock = options.clock ?? systemClock;
  const ids = createIds(clock);
  const { bankDb, walletDb, walletSecureDb: walletSecureStore } = await openStores(config, { wallet: true, log });
  const walletSecureDb = walletSecureStore!;
  // What is open so far, closed last-opened first: by close(), or at once when a later step fails (a port in use), so
  // a demo that cannot start exits with its error instead of staying alive half-started.
  const opened: Array<{ close(): Promise<unknown> }> = [bankDb, walletDb!, walletSecureDb];
  const closeOpened = async () => {
    for (const part of opened.splice(0).reverse()) await part.close();
  };
  try {
    // Without SMTP_URL the demo runs its own SMTP sink on loopback: the bank sends real SMTP, and /demo/mailbox shows it.
    const sink = config.smtp_url ? undefined : await startMailSink({ host: '127.0.0.1' });
    if (sink) opened.push(sink);
    // The demo's simulators are passed in and their pages mounted here, never by the bank itself: `serve` has none.
    const bank_sms = createSmsSimulator({ clock, log: log.child({ app: 'bank' }) });
    const bank_sim_swap = createSimulatedSimSwapApi({ clock });
    const bank = await createBankApp({
      db: bankDb, clock, ids, log: log.child({ app: 'bank' }), credential_fingerprint_key: config.credential_fingerprint_key, public_url: config.public_url, ...(config.passkey_rp_id ? { passkey_rp_id: config.passkey_rp_id } : {}),
      audit_key: config.audit_key, audit_anchor_file: config.audit_anchor_file,
      // The demo's operators run on this machine: their webhooks may be loopback http. `serve` allows public https only.
      webhook_targets: { policy: { allow_loopback: true } },
      sms: bank_sms, simSwap: bank_sim_swap, ...noticeOptions(config), ...(sink ? { smtp_url: sink.url } : {}), lab_report_dir: config.lab_report_dir,
    });
    opened.push(bank);
    smsSimulatorPage(bank.app, bank_sms);
    demoAuthenticatorPage(bank.app, clock);
    if (sink) mailboxPage(bank.app, sink);
    await seedDemoBank(bank.services);
    const bankAddress = await bank.app.listen({ host: config.host, port: config.bank_port });
    const metrics = createMetricsApp({ metrics: bank.services.metrics, log: log.child({ app: 'metrics' }) });
    opened.push(metrics);
    const metricsAddress = await metrics.listen({ host: config.metrics_host, port: config.metrics_port });
    const wallet = await createWalletApp({
      db: walletDb!,
      clock,
      ids,
      log: log.child({ app: 'wallet' }),
      bank: { base_url: bankAddress, client_id: DEMO_WALLET_CLIENT_ID, client_secret: DEMO_WALLET_CLIENT_SECRET },
      operator_name: 'フリカエ・ウォレット (2020 mode)',
    });
    opened.push(wallet);
    const walletAddress = await wallet.app.listen({ host: config.host, port: config.wallet_port });

    const wallet_secure_sms = createSmsSimulator({ clock, log: log.child({ app: 'wallet-secure' }) });
    const walletSecure = await createWalletApp({
      db: walletSecureDb,
      clock,
      ids,
      log: log.child({ app: 'wallet-secure' }),
      // The bank's public origin, not its listen address: the OAuth issuer is named after it.
      bank: { base_url: config.public_url, client_id: DEMO_SECURE_WALLET_CLIENT_ID, client_secret: DEMO_SECURE_WALLET_CLIENT_SECRET },
      public_url: config.wallet_secure_public_url,
      operator_name: DEMO_SECURE_WALLET.display_name,
      mode: 'hardened',
      sms: wallet_secure_sms,
      demo_sms_inbox: wallet_secure_sms,
      ekyc: createEkycSimulator({ clock }),
      bank_name: 'ふりかえ銀行 / Furikae Bank',
    });
    opened.push(walletSecure);
    const registration = walletSecure.registration!;
    await seedDemoHardenedOperator(bank.services, { jwks: registration.jwks as { keys: Record<string, unknown>[] }, redirect_uris: [registration.redirect_uri] });
    await walletSecure.app.listen({ host: config.host, port: config.wallet_secure_port });
    return {
      bank_url: bankAddress,
      wallet_url: walletAddress,
      wallet_secure_url: config.wallet_secure_public_url,
      bank,
      bank_sms,
      wallet_secure_sms,
      metrics_url: `${metricsAddress}${METRICS_PATH}`,
      mailbox_url: sink ? `${bankAddress}${MAILBOX_PATH}` : undefined,
      close: closeOpened,
    };
  } catch (error) {
    await closeOpened();
    throw error;
  }
}

/** What `furikae demo` prints (and `--logins` again): where to go and how to log in. Demo PINs are printed on purpose; they open nothing real. */
export function demoBanner(demo: DemoAddresses, config: Config): string {
  const storage = config.database_url ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.data_dir}, synced to disk on every commit`;
  const embedded = config.database_url ? '' : `
  ⚠  PGlite is for the demo and the lab, not for a bank: it is one connection inside this process, so no second
     bank process can share it and there is no standby to fail over to. A bank keeps its books in PostgreSQL
     (DATABASE_URL=postgres://…); \`furikae serve\` refuses PGlite unless given --unsafe-embedded.
`;
  const customers = DEMO_CUSTOMERS.map(
    (c) => `    ${c.name_kanji} (${c.name_kana}, born ${c.birth_date})  login ${c.login_id} / ${c.password}   branch ${c.branch_code} account ${c.account_number} PIN ${c.pin}`,
  ).join('\n');
  return `
furikae demo is running on ${storage}

  Bank (API, customer and staff pages)  ${demo.bank_url}
    API docs         ${demo.bank_url}/docs      OpenAPI ${demo.bank_url}/openapi.json
    Customer pages   ${demo.bank_url}/bank/login
    Staff console    ${demo.bank_url}/staff/login   login ${DEMO_STAFF.login_id} / ${DEMO_STAFF.password} (admin; also ${DEMO_STAFF_MEMBERS.slice(1).map((member) => `${member.login_id} / ${member.password}`).join(', ')})
                     and an authenticator code: add secret ${DEMO_STAFF_TOTP_SECRET} to an authenticator app, or read it at ${demo.bank_url}${DEMO_AUTHENTICATOR_PATH}
    Mail to customers ${demo.mailbox_url ?? `sent to SMTP_URL (${config.smtp_url})`}   SMS ${demo.bank_url}${SMS_SIMULATOR_PATH}
    Authenticator app registration   ${demo.bank_url}/bank/security
    Metrics (Prometheus, not on the public port)   ${demo.metrics_url}
  Reference wallet, 2020 mode   ${demo.wallet_url}
  Reference wallet, hardened    ${demo.wallet_secure_url}   its SMS ${demo.wallet_secure_url}${WALLET_SMS_SIMULATOR_PATH}

  ⚠  The 2020-mode wallet runs on the 2020 legacy link policy: account number + PIN + name + birth date,
     no second factor. It exists to reproduce the Docomo account thefts. Never enable it elsewhere.
${embedded}
  Demo bank customers:
${customers}

  Try the 2020 way: open the 2020-mode wallet, sign up, link 山田 花子's account with her PIN, charge ¥5,000,
  pay a merchant, then log in to the bank as hanako and find the passbook line labelled フリカエウォレット.

  Try the hardened way: open the hardened wallet, sign up with a mobile number (the code is in the wallet's
  SMS simulator), pass the eKYC simulator (any photo, ヤマダ ハナコ, 1948-03-15, face "match"), press
  "Link bank account": the bank asks for hanako's password, a second factor (SMS: the code is in the bank's
  SMS simulator; or an authenticator app registered at /bank/security) and her consent. Charge ¥5,000 and
  find the line labelled ${DEMO_SECURE_WALLET.passbook_label} in her passbook.
  Every link and charge is mailed to the customer: open the mailbox, click 「お心当たりがない場合」's link and
  confirm, and the link is frozen: the wallet shows it as 停止中 (frozen) with the reason, its next top-up is
  refused (link_frozen), and staff see a dispute case.
  The demo logs warnings and errors only (LOG_LEVEL=info, or furikae demo --log-level info, logs every request).
  \`furikae demo --logins\` (npm run furikae -- demo --logins) prints these addresses and logins again.
  Ctrl-C stops.
`;
}
