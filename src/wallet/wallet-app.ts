/**
 * The reference wallet: an operator app with its own users, its own database and its own e-money ledger,
 * which reaches the bank only over HTTP with its operator credentials, as any payment app would.
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { createHttpApp } from '../http/create-http-app.ts';
import { createLedger } from '../ledger/create-ledger.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import type { Database } from '../storage/database.ts';
import { createBankClient } from './bank-client.ts';
import { openWalletLedgerAccounts } from './open-wallet-ledger-accounts.ts';
import { registerChargeRoutes } from './routes/charge-routes.ts';
import { registerHomeRoutes } from './routes/home-routes.ts';
import { registerLinkRoutes } from './routes/link-routes.ts';
import { registerLoginRoutes } from './routes/login-routes.ts';
import { createPageKit } from './routes/page-kit.ts';
import { registerPayRoutes } from './routes/pay-routes.ts';
import { registerSendRoutes } from './routes/send-routes.ts';
import { registerSignUpRoutes } from './routes/sign-up-routes.ts';
import type { WalletContext } from './wallet-context.ts';
import { createWalletSessions } from './wallet-sessions.ts';

/** The wallet's name in its header when the demo does not give one. */
export const DEFAULT_OPERATOR_NAME = 'furikae ウォレット';

export interface WalletAppOptions {
  /** The wallet's own database, already migrated with [ledgerMigrations, walletMigrations]. */
  db: Database;
  clock: Clock;
  ids: Ids;
  log: Logger;
  /** Where the bank's API is, and the operator credentials the bank issued to this wallet. */
  bank: { base_url: string; client_id: string; client_secret: string };
  /** The address users reach the wallet at; https there makes the session cookie Secure. */
  public_url?: string;
  /** Shown in every page header. */
  operator_name?: string;
}

export interface WalletApp {
  app: FastifyInstance;
  /** The wallet's services (database, ledger, bank client), for the demo, the lab and tests. */
  context: WalletContext;
  close(): Promise<void>;
}

/** Builds the wallet's web app over its migrated database; opens its fixed ledger accounts first. */
export async function createWalletApp(options: WalletAppOptions): Promise<WalletApp> {
  const { db, clock, ids, log } = options;
  const ledger = createLedger({ db, clock, log });
  const bank = createBankClient(options.bank);
  const context: WalletContext = { db, ledger, clock, ids, log, bank };
  await openWalletLedgerAccounts(db, ledger);

  const app = createHttpApp({ log });
  const kit = createPageKit({
    context,
    sessions: createWalletSessions({ db, clock }),
    operator_name: options.operator_name ?? DEFAULT_OPERATOR_NAME,
    secure_cookies: options.public_url?.startsWith('https:') ?? false,
  });
  await app.register(async (pages) => {
    await pages.register(cookie);
    await pages.register(formbody);
    registerHomeRoutes(pages, kit, context);
    registerSignUpRoutes(pages, kit, context);
    registerLoginRoutes(pages, kit, context);
    registerLinkRoutes(pages, kit, context);
    registerChargeRoutes(pages, kit, context);
    registerPayRoutes(pages, kit, context);
    registerSendRoutes(pages, kit, context);
  });
  return {
    app,
    context,
    async close() {
      await app.close();
      await ledger.close();
    },
  };
}
