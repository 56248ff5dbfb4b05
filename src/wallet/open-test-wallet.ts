/**
 * Test setup for the wallet's suites: a fresh migrated wallet database on one backend, a frozen clock,
 * the wallet app, and a cookie-keeping browser that fills in forms the way a person would.
 */
import type { LightMyRequestResponse } from 'fastify';
import { ledgerMigrations } from '../ledger/ledger-migrations.ts';
import { ManualClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { migrate } from '../storage/migrate.ts';
import type { TestBackend } from '../testing/test-databases.ts';
import { createWalletApp, type WalletApp } from './wallet-app.ts';
import { BANK_FUNDING_ACCOUNT_ID, walletTransferCodes } from './wallet-ledger-codes.ts';
import { walletMigrations } from './wallet-migrations.ts';
import { createSmsSimulator, type SmsSimulator } from '../notify/sms-simulator.ts';
import { createEkycSimulator } from './ekyc-simulator.ts';
import { findWalletUserByEmail } from './wallet-users.ts';
import { snapshotDatabase, type DatabaseSnapshot } from '../testing/database-snapshot.ts';
import { assertNothingWritten, type RefusalWriteName } from '../testing/refusal-may-write.ts';

/** Nothing listens on the discard port: a wallet under test that calls the bank by mistake fails at once. */
const NO_BANK_URL = 'http://127.0.0.1:9';

export interface TestWallet extends WalletApp {
  clock: ManualClock;
  /** The wallet's own SMS gateway (a simulator): where hardened sign-up codes go. */
  sms: SmsSimulator;
  /** A new browser with its own cookie jar. */
  browser(): TestBrowser;
  /** Puts e-money in a user's account as a confirmed top-up would, without a bank (for payment and send tests). */
  fund(email: string, amount_yen: number): Promise<void>;
  balance(email: string): Promise<number>;
  /** Every row of every wallet table (payments, sends, top-ups, the e-money ledger, …), for `assertNothingWritten`. */
  snapshot(): Promise<DatabaseSnapshot>;
  /** Fails unless every wallet table is as it was at `before` (docs/testing.md): what "a refused payment writes nothing" means. */
  assertNothingWritten(before: DatabaseSnapshot, options?: { except?: readonly RefusalWriteName[]; message?: string }): Promise<void>;
  count(table: 'wallet_users' | 'wallet_payments' | 'wallet_sends' | 'wallet_top_ups' | 'wallet_bank_links' | 'wallet_bank_grants' | 'wallet_ekyc_checks' | 'wallet_link_authorizations'): Promise<number>;
  closeAll(): Promise<void>;
}

/** How a test wallet is opened: 2020 mode with no bank unless told otherwise. */
export interface TestWalletOptions {
  bank?: { base_url: string; client_id: string; client_secret: string };
  log?: Logger;
  /** The wallet's clock; a hardened wallet shares the bank fixture's, as synchronised servers would. */
  clock?: ManualClock;
  /** Hardened mode, with the wallet's own SMS simulator, the eKYC simulator and this public URL. */
  hardened?: { public_url: string };
}

/** Opens a migrated wallet database on `backend` and a wallet app over it. */
export async function openTestWallet(backend: TestBackend, options: TestWalletOptions = {}): Promise<TestWallet> {
  const bank = options.bank ?? { base_url: NO_BANK_URL, client_id: 'unused', client_secret: 'unused' };
  const db = await backend.open('wallet');
  await migrate(db, [ledgerMigrations, walletMigrations]);
  const clock = options.clock ?? new ManualClock();
  const ids = createIds(clock);
  const sms = createSmsSimulator({ clock });
  const wallet = await createWalletApp({
    db, clock, ids, log: options.log ?? createLogger({ level: 'silent' }), bank,
    ...(options.hardened ? { mode: 'hardened' as const, sms, ekyc: createEkycSimulator({ clock }), public_url: options.hardened.public_url } : {}),
  });
  const test_wallet: TestWallet = {
    ...wallet,
    clock,
    sms,
    browser: () => new TestBrowser(wallet),
    async fund(email, amount_yen) {
      const user = await findWalletUserByEmail(db, email);
      if (!user) throw new Error(`no wallet user ${email}`);
      const [result] = await wallet.context.ledger.createTransfers([
        { id: ids.next(), debit_account_id: BANK_FUNDING_ACCOUNT_ID, credit_account_id: user.account_id, amount_yen, code: walletTransferCodes.top_up },
      ]);
      if (result !== 'ok') throw new Error(`funding failed: ${result}`);
    },
    async balance(email) {
      const user = await findWalletUserByEmail(db, email);
      if (!user) throw new Error(`no wallet user ${email}`);
      const [account] = await wallet.context.ledger.lookupAccounts([user.account_id]);
      if (!account) throw new Error('no account');
      return account.credits_posted - account.debits_posted;
    },
    snapshot: () => snapshotDatabase(db),
    async assertNothingWritten(before, options) {
      assertNothingWritten(before, await snapshotDatabase(db), options);
    },
    async count(table) {
      const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      return row?.n ?? 0;
    },
    async closeAll() {
      await wallet.close();
      await db.close();
    },
  };
  return test_wallet;
}

/** The value of a named form field in a page (hidden or not), or undefined. */
export function formValue(page: string, name: string): string | undefined {
  const match = new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(page);
  return match?.[1];
}

/** A browser over app.inject(): keeps cookies, follows nothing, posts forms as urlencoded text. */
export class TestBrowser {
  readonly cookies = new Map<string, string>();
  constructor(private readonly wallet: WalletApp) {}

  #remember(response: LightMyRequestResponse): void {
    for (const set of response.cookies) {
      if (set.value === '' || (set as { maxAge?: number }).maxAge === 0) this.cookies.delete(set.name);
      else this.cookies.set(set.name, set.value);
    }
  }

  #cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Posts `fields` as multipart/form-data, with `files` as file parts (no CSRF token added). */
  async postMultipart(url: string, fields: Record<string, string>, files: Record<string, { bytes: Uint8Array; name: string; type: string }> = {}): Promise<LightMyRequestResponse> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    for (const [name, file] of Object.entries(files)) form.append(name, new Blob([Uint8Array.from(file.bytes)], { type: file.type }), file.name);
    const encoded = new Request('http://wallet.test/', { method: 'POST', body: form });
    const response = await this.wallet.app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.#cookieHeader(), 'content-type': encoded.headers.get('content-type')! },
      payload: Buffer.from(await encoded.arrayBuffer()),
    });
    this.#remember(response);
    return response;
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const response = await this.wallet.app.inject({ method: 'GET', url, headers: { cookie: this.#cookieHeader() } });
    this.#remember(response);
    return response;
  }

  /** Posts exactly `fields` (no CSRF token added). */
  async post(url: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    const response = await this.wallet.app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.#cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
    this.#remember(response);
    return response;
  }

  /**
   * Opens the page at `page_url`, takes its CSRF token and the hidden id the form carries, and posts
   * them with `fields` to `action`. Returns the response and the hidden values used.
   */
  async submit(page_url: string, action: string, fields: Record<string, string>, hidden: string[] = []): Promise<{ response: LightMyRequestResponse; sent: Record<string, string> }> {
    const page = await this.get(page_url);
    const csrf_token = formValue(page.body, 'csrf_token');
    if (!csrf_token) throw new Error(`no CSRF token on ${page_url} (status ${page.statusCode})`);
    const sent: Record<string, string> = { csrf_token };
    for (const name of hidden) {
      const value = formValue(page.body, name);
      if (value === undefined) throw new Error(`no ${name} on ${page_url}`);
      sent[name] = value;
    }
    Object.assign(sent, fields);
    return { response: await this.post(action, sent), sent };
  }

  async signUp(name: string, email: string, password = 'correct horse battery'): Promise<LightMyRequestResponse> {
    return (await this.submit('/signup', '/signup', { name, email, password })).response;
  }

  async logIn(email: string, password = 'correct horse battery'): Promise<LightMyRequestResponse> {
    return (await this.submit('/login', '/login', { email, password })).response;
  }
}
