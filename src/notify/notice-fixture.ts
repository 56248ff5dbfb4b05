import type { Database } from '../storage/database.ts';
import { createSimulatedSimSwapApi } from '../telecom/simulated-sim-swap-api.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { migrate } from '../storage/migrate.ts';
import { createBankApp, type BankApp } from '../bank-app.ts';
import { ManualClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { createSmsSimulator, type SmsSimulator } from './sms-simulator.ts';
import { FIXTURE_AUDIT_KEY, FIXTURE_CREDENTIAL_KEY, FIXTURE_START, basicAuth } from '../testing/bank-fixture.ts';

/** The not-me key of test banks: fixed, so two bank processes in one test agree. */
export const NOTICE_FIXTURE_NOT_ME_KEY = 'test-not-me-key-0123456789abcdef-0123456789';

/** A bank for notice tests: SMTP to a given URL, a frozen clock, no background polling (tests call dispatchOnce). */
export interface NoticeFixture {
  db: Database;
  bank: BankApp;
  clock: ManualClock;
  sms: SmsSimulator;
  operator: { id: string; basic: string };
  customer: { id: string; account_id: string; email: string; phone: string };
  /** Links the customer with the 2020 PIN path; returns the link id and its bearer credential. */
  link(): Promise<{ link_id: string; link_token: string }>;
  /** One charge over HTTP; returns the response. */
  charge(link_token: string, amount_yen: number, idempotency_key?: string): Promise<{ statusCode: number; json(): any }>;
  close(): Promise<void>;
}

let keys = 0;

/**
 * Builds a migrated bank over `db` (or adds a second bank process over an already-built one with `existing`),
 * with one 2020-policy operator and one customer holding ¥1,000,000.
 */
export async function createNoticeFixture(db: Database, options: { smtp_url?: string; existing?: NoticeFixture } = {}): Promise<NoticeFixture> {
  if (!options.existing) await migrate(db, bankMigrationSets);
  const clock = options.existing?.clock ?? new ManualClock(FIXTURE_START);
  const log = createLogger({ level: process.env.FURIKAE_TEST_LOG ?? 'silent' });
  const sms = createSmsSimulator({ clock, log });
  const bank = await createBankApp({
    db, clock, ids: createIds(clock), log, credential_fingerprint_key: FIXTURE_CREDENTIAL_KEY, audit_key: FIXTURE_AUDIT_KEY, sms, simSwap: createSimulatedSimSwapApi({ clock }), public_url: 'http://bank.test',
    not_me_key: NOTICE_FIXTURE_NOT_ME_KEY, notice_polling: false, ...(options.smtp_url ? { smtp_url: options.smtp_url } : {}),
  });
  let operator = options.existing?.operator;
  let customer = options.existing?.customer;
  if (!operator || !customer) {
    const { core, operators } = bank.services;
    const registered = await operators.register({ display_name: 'ドコモ口座 (テスト)', passbook_label: 'ドコモ口座', link_methods_allowed: ['legacy_pin'] });
    operator = { id: registered.operator.id, basic: basicAuth(registered.operator.client_id, registered.client_secret) };
    const person = await core.openCustomer({
      name_kanji: '山田 花子', name_kana: 'ヤマダ ハナコ', birth_date: '1948-03-15', phone: '090-1111-2222',
      email: 'hanako@example.jp', address: '宮城県仙台市青葉区1-1', login_id: 'hanako', password: 'correct horse battery',
    });
    const account = await core.openAccount({ customer_id: person.id, branch_code: '001', account_number: '1234567', pin: '4321' });
    await core.deposit(account.id, 1_000_000, '給与');
    customer = { id: person.id, account_id: account.id, email: 'hanako@example.jp', phone: '090-1111-2222' };
  }
  const fixture: NoticeFixture = {
    db, bank, clock, sms, operator, customer,
    async link() {
      const response = await bank.app.inject({
        method: 'POST', url: '/v1/links/legacy', headers: { authorization: operator.basic },
        payload: { branch_code: '001', account_number: '1234567', pin: '4321', name_kana: 'ヤマダ ハナコ', birth_date: '1948-03-15' },
      });
      if (response.statusCode !== 201) throw new Error(`link failed: ${response.body}`);
      const body = response.json() as { link: { id: string }; link_token: string };
      return { link_id: body.link.id, link_token: body.link_token };
    },
    charge(link_token, amount_yen, idempotency_key = `notice-test-${++keys}`) {
      return bank.app.inject({
        method: 'POST', url: '/v1/charges', headers: { authorization: `Bearer ${link_token}`, 'idempotency-key': idempotency_key },
        payload: { amount_yen },
      });
    },
    close: () => bank.close(),
  };
  return fixture;
}

/** The "not me" URL in a notice's text, as the path and query the bank serves. */
export function notMePath(text: string): string {
  const match = /http:\/\/bank\.test(\/notices\/not-me\?token=[A-Za-z0-9._-]+)/.exec(text);
  if (!match) throw new Error('no "not me" link in the notice');
  return match[1]!;
}

/** The cookies a response set, as the Cookie header a browser sends next. */
export function cookiesOf(response: { headers: Record<string, unknown> }): string {
  return ([response.headers['set-cookie'] ?? []].flat() as string[]).map((header) => header.split(';')[0]).join('; ');
}

/** A hidden input's value on a page. */
export function hiddenValue(page: string, name: string): string | undefined {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1];
}

/**
 * Opens a notice's "not me" link and confirms on the page it shows, with its form token and cookie, as a browser
 * would (the GET only asks). Returns the confirmation's answer.
 */
export async function confirmNotMe(app: BankApp['app'], path: string) {
  const page = await app.inject({ method: 'GET', url: path });
  const csrf = hiddenValue(page.body, 'csrf');
  const token = hiddenValue(page.body, 'token');
  if (page.statusCode !== 200 || !csrf || !token) throw new Error(`no confirmation form at ${path.slice(0, 40)}… (${page.statusCode})`);
  return app.inject({ method: 'POST', url: '/notices/not-me', headers: { cookie: cookiesOf(page) }, payload: { csrf, token } });
}
