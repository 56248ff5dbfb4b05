import type { Database } from '../storage/database.ts';
import { createSimulatedSimSwapApi, type SimulatedSimSwapApi } from '../telecom/simulated-sim-swap-api.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { createSmsSimulator, type SmsSimulator } from '../notify/sms-simulator.ts';
import { createBankApp, type BankApp, type BankAppDeps } from '../bank-app.ts';
import { ManualClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { openSameDatabase, type TestBackend } from './test-databases.ts';
import { migrate } from '../storage/migrate.ts';
import type { LinkMethod } from '../operators/operator.ts';
import { freePort } from './free-port.ts';
import { snapshotDatabase, type DatabaseSnapshot } from './database-snapshot.ts';
import { assertNothingWritten, type RefusalWriteName } from './refusal-may-write.ts';

/** A migrated bank on one backend with a frozen clock, one 2020-policy operator and one customer with ¥500,000. */
export interface BankFixture {
  db: Database;
  bank: BankApp;
  /** With `listen`: where the bank answers on loopback. */
  url: string;
  clock: ManualClock;
  /** Every SMS the bank sent, with the codes. */
  sms: SmsSimulator;
  /** The carrier's SIM Swap API, simulated: a test swaps a customer's SIM or makes the API hang or fail. */
  simSwap: SimulatedSimSwapApi;
  operator: { id: string; client_id: string; client_secret: string; basic: string; settlement_account_id: string };
  customer: { id: string; account_id: string; branch_code: string; account_number: string; pin: string; name_kana: string; birth_date: string; phone: string };
  /** Every row of every table (read from the catalogue), for `assertNothingWritten`. */
  snapshot(): Promise<DatabaseSnapshot>;
  /**
   * Fails unless every table is as it was at `before`, apart from what the named allow-list entries let through
   * (src/testing/refusal-may-write.ts): what "a refused request changes nothing" means.
   */
  assertNothingWritten(before: DatabaseSnapshot, options?: { except?: readonly RefusalWriteName[]; message?: string }): Promise<void>;
  close(): Promise<void>;
}

export const FIXTURE_START = '2026-11-10T01:00:00Z';
/** The fixture's credential fingerprint key: fixed, as a deployment's is, so separate app instances agree. */
export const FIXTURE_CREDENTIAL_KEY = 'test-credential-fingerprint-key-0123456789abcdef';
/** The fixture's audit key: fixed, so every bank instance over one test database links the same chain. */
export const FIXTURE_AUDIT_KEY = 'test-audit-key-0123456789abcdef-0123456789';
/** The fixture's "this wasn't me" key: fixed, so a second app over the same database checks the first one's links. */
export const FIXTURE_NOT_ME_KEY = 'test-not-me-key-0123456789abcdef0123456789';

/** How each fixture's bank was made, so that a second process is made the same way. */
const bankOptions = new WeakMap<BankFixture, Pick<BankAppDeps, 'risk' | 'webhook_targets' | 'reverse_brute_force_containment' | 'new_link_code_cooling_off_ms'>>();

/** Basic credentials header for an operator. */
export function basicAuth(client_id: string, client_secret: string): string {
  return `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`;
}

/** The fixture customer's phone on record: a wallet verified with it matches her fully. */
const HANAKO_PHONE = '090-1111-2222';

/** Builds the fixture; `link_methods` defaults to the 2020 policy. */
export async function createBankFixture(
  backend: TestBackend,
  options: {
    link_methods?: LinkMethod[];
    listen?: boolean;
    /** With `listen`: the host the public origin names; 127.0.0.1 unless a test needs a name (WebAuthn refuses IP addresses as RP ids). */
    public_host?: 'localhost';
    /** The risk config and mode (enforce by default, as the bank ships). */
    risk?: BankAppDeps['risk'];
    /** False: no background expiry of waiting charges nor webhook sending; the test drives them. */
    waiting_charge_jobs?: boolean;
    /** Where webhooks may go; loopback (over http too) through the system resolver unless given, since tests run on loopback. */
    webhook_targets?: BankAppDeps['webhook_targets'];
    /** False: the outbox is not polled in the background; the test sends with `bank.notices.dispatchOnce()`. */
    notice_polling?: boolean;
    /** A file the audit chain's heads are anchored to, as `serve` does; none by default, so nothing is anchored. */
    audit_anchor_file?: string;
    /** The bank's logger (silent unless FURIKAE_TEST_LOG names a level); tests that read the log pass their own. */
    log?: Logger;
    /** An SMTP server for e-mail notices; without one they wait in the outbox. */
    smtp_url?: string;
    /** Where the console's Lab page reads the latest lab report. */
    lab_report_dir?: string;
    /** False: no background payment of approved compensations nor writing of campaigns; the test drives them. */
    incident_jobs?: boolean;
    /** Requests per address per minute; the shipped limits unless given. */
    rate_limits?: BankAppDeps['rate_limits'];
    /** What a reverse brute force does to its operators; the bank's default (suspend new links) unless given. */
    reverse_brute_force_containment?: BankAppDeps['reverse_brute_force_containment'];
    /** How long a new link's charges refuse typed codes; the bank's default (a day) unless given. */
    new_link_code_cooling_off_ms?: number;
  } = {},
): Promise<BankFixture> {
  const db = await backend.open();
  await migrate(db, bankMigrationSets);
  // A listening bank talks to real OAuth clients, whose tokens carry real time: its frozen clock starts now.
  const clock = new ManualClock(options.listen ? new Date() : FIXTURE_START);
  const port = options.listen ? await freePort() : 0;
  const url = options.listen ? `http://${options.public_host ?? '127.0.0.1'}:${port}` : 'http://bank.test';
  const log = options.log ?? createLogger({ level: process.env.FURIKAE_TEST_LOG ?? 'silent' });
  const sms = createSmsSimulator({ clock, log });
  const simSwap = createSimulatedSimSwapApi({ clock });
  const webhook_targets = options.webhook_targets ?? { policy: { allow_loopback: true } };
  const bank = await createBankApp({ db, clock, ids: createIds(clock), log, credential_fingerprint_key: FIXTURE_CREDENTIAL_KEY, audit_key: FIXTURE_AUDIT_KEY, not_me_key: FIXTURE_NOT_ME_KEY, sms, simSwap, public_url: url,
    // A sweep on a real-time timer would delete rows between a test's snapshots; the sweep has its own tests.
    webhook_targets, expired_rows_sweeping: false,
    // Reminders run when a test calls remindExpiringConsents, never on a real-time timer mid-test.
    consent_reminders: false,
    ...(options.audit_anchor_file ? { audit_anchor_file: options.audit_anchor_file } : {}),
    ...(options.notice_polling === false ? { notice_polling: false } : {}),
    ...(options.risk ? { risk: options.risk } : {}), ...(options.waiting_charge_jobs === false ? { waiting_charge_jobs: false } : {}),
    ...(options.smtp_url ? { smtp_url: options.smtp_url } : {}), ...(options.incident_jobs === false ? { incident_jobs: false } : {}),
    ...(options.lab_report_dir ? { lab_report_dir: options.lab_report_dir } : {}),
    ...(options.rate_limits ? { rate_limits: options.rate_limits } : {}),
    ...(options.reverse_brute_force_containment ? { reverse_brute_force_containment: options.reverse_brute_force_containment } : {}),
    ...(options.new_link_code_cooling_off_ms === undefined ? {} : { new_link_code_cooling_off_ms: options.new_link_code_cooling_off_ms }) });
  if (options.listen) await bank.app.listen({ host: '127.0.0.1', port });
  const { core, operators } = bank.services;
  const { operator, client_secret } = await operators.register({
    display_name: 'ドコモ口座 (テスト)',
    passbook_label: 'ドコモ口座',
    link_methods_allowed: options.link_methods ?? ['legacy_pin'],
  });
  const person = await core.openCustomer({
    name_kanji: '山田 花子', name_kana: 'ヤマダ ハナコ', birth_date: '1948-03-15', phone: HANAKO_PHONE,
    email: 'hanako@example.jp', address: '宮城県仙台市青葉区1-1', login_id: 'hanako', password: 'correct horse battery',
  });
  const account = await core.openAccount({ customer_id: person.id, branch_code: '001', account_number: '1234567', pin: '4321' });
  await core.deposit(account.id, 500_000, '給与');
  /**
   * Every table, read while the background notice dispatcher stands still after sending what is due: a notice
   * queued before `before` and sent meanwhile is not the request's write, and a row the request added still shows.
   */
  async function quiescentSnapshot(): Promise<DatabaseSnapshot> {
    // Without background polling, what is queued stays queued until the test sends it: read the tables as they are.
    if (options.notice_polling === false) return snapshotDatabase(db);
    await bank.notices.stop();
    try {
      while ((await bank.notices.dispatchOnce()).claimed > 0);
      return await snapshotDatabase(db);
    } finally {
      bank.notices.start();
    }
  }
  const fixture: BankFixture = {
    db,
    bank,
    url,
    clock,
    sms,
    simSwap,
    operator: {
      id: operator.id, client_id: operator.client_id, client_secret, basic: basicAuth(operator.client_id, client_secret),
      settlement_account_id: operator.settlement_account_id,
    },
    customer: {
      id: person.id, account_id: account.id, branch_code: '001', account_number: '1234567', pin: '4321',
      name_kana: 'ヤマダ ハナコ', birth_date: '1948-03-15', phone: HANAKO_PHONE,
    },
    snapshot: quiescentSnapshot,
    async assertNothingWritten(before, options) {
      assertNothingWritten(before, await quiescentSnapshot(), options);
    },
    async close() {
      await bank.close();
      await db.close();
    },
  };
  bankOptions.set(fixture, { webhook_targets, ...(options.risk ? { risk: options.risk } : {}),
    ...(options.reverse_brute_force_containment ? { reverse_brute_force_containment: options.reverse_brute_force_containment } : {}),
    ...(options.new_link_code_cooling_off_ms === undefined ? {} : { new_link_code_cooling_off_ms: options.new_link_code_cooling_off_ms }) });
  return fixture;
}

/**
 * A second bank process over the fixture's PostgreSQL database: its own connection pool and so its own batching
 * writer, the same clock, keys and URL. Requests split between the two apps race as they do between two servers
 * behind a load balancer, which one app cannot show (its batcher runs one transaction at a time). PostgreSQL only.
 */
export async function openSecondBankProcess(fixture: BankFixture): Promise<{ bank: BankApp; close(): Promise<void> }> {
  const db = await openSameDatabase(fixture.db);
  const log = createLogger({ level: process.env.FURIKAE_TEST_LOG ?? 'silent' });
  // The fixture's own app sends the notices and runs the waiting-charge jobs, so there is one of each, as in a test of one.
  const bank = await createBankApp({
    db, clock: fixture.clock, ids: createIds(fixture.clock), log, credential_fingerprint_key: FIXTURE_CREDENTIAL_KEY, audit_key: FIXTURE_AUDIT_KEY, not_me_key: FIXTURE_NOT_ME_KEY, sms: fixture.sms, simSwap: fixture.simSwap,
    public_url: fixture.url, notice_polling: false, waiting_charge_jobs: false, expired_rows_sweeping: false, ...bankOptions.get(fixture),
  });
  return {
    bank,
    async close() {
      await bank.close();
      await db.close();
    },
  };
}

/**
 * Links the fixture customer through the legacy path (from `source`, if given: the connecting address, the end user's
 * address and device the operator relays, and another operator's Basic credentials) and returns the link and its bearer credential.
 */
export async function legacyLink(fixture: BankFixture, overrides: Record<string, unknown> = {},
  source: { ip?: string; device_id?: string; end_user_ip?: string; basic?: string } = {}) {
  const { customer } = fixture;
  const response = await fixture.bank.app.inject({
    method: 'POST',
    url: '/v1/links/legacy',
    ...(source.ip ? { remoteAddress: source.ip } : {}),
    headers: {
      authorization: source.basic ?? fixture.operator.basic, ...(source.device_id === undefined ? {} : { 'x-device-id': source.device_id }),
      ...(source.end_user_ip === undefined ? {} : { 'psu-ip-address': source.end_user_ip }),
    },
    payload: {
      branch_code: customer.branch_code, account_number: customer.account_number, pin: customer.pin,
      name_kana: customer.name_kana, birth_date: customer.birth_date, ...overrides,
    },
  });
  return { response, body: response.json() as { link: { id: string }; link_token: string; code?: string } };
}

/** Sends one charge with a legacy link credential (to `bank`, a second process, if given). */
export function charge(fixture: BankFixture, link_token: string, body: unknown, idempotency_key?: string, bank: BankApp = fixture.bank) {
  return bank.app.inject({
    method: 'POST',
    url: '/v1/charges',
    headers: { authorization: `Bearer ${link_token}`, ...(idempotency_key === undefined ? {} : { 'idempotency-key': idempotency_key }) },
    payload: body as Record<string, unknown>,
  });
}

const holdersMade = new WeakMap<BankFixture, number>();

/**
 * A customer of one test alone, with a deposit account and a PIN: tests share one bank per backend, so each locks,
 * sprays and throttles only its own accounts. `details` is the legacy link body for the account.
 */
export async function openAccountHolder(fixture: BankFixture, pin = '4321') {
  const n = (holdersMade.get(fixture) ?? 0) + 1;
  holdersMade.set(fixture, n);
  const phone = `080-0000-${String(n).padStart(4, '0')}`;
  const customer = await fixture.bank.services.core.openCustomer({
    name_kanji: '佐藤 一郎', name_kana: 'サトウ イチロウ', birth_date: '1950-01-01', phone,
    email: `holder${n}@example.jp`, address: '福島', login_id: `holder${n}`, password: 'holder password 2026',
  });
  const account_number = String(8_000_000 + n);
  const account = await fixture.bank.services.core.openAccount({ customer_id: customer.id, branch_code: '001', account_number, pin });
  return { phone, customer_id: customer.id, account_id: account.id, details: { account_number, pin, name_kana: 'サトウ イチロウ', birth_date: '1950-01-01' } };
}

/** Registers another 2020-policy operator on the fixture's bank, with its Basic credentials. */
export async function registerLegacyOperator(fixture: BankFixture, display_name: string) {
  const { operator, client_secret } = await fixture.bank.services.operators.register({
    display_name, passbook_label: display_name, link_methods_allowed: ['legacy_pin'],
  });
  return { id: operator.id, basic: basicAuth(operator.client_id, client_secret) };
}
