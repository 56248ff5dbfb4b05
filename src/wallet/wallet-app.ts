/**
 * The reference wallet: an operator app with its own users, its own database and its own e-money ledger,
 * which reaches the bank only over HTTP with its operator credentials, as any payment app would.
 * Two modes: `legacy_2020` reproduces the wallets of 2020 (name + e-mail sign-up, account number + PIN link)
 * for the lab; `hardened` verifies a phone and runs eKYC at sign-up, then links through the bank's FAPI 2.0
 * consent as an openid-client OAuth client, and charges with DPoP-bound tokens. The rest is shared.
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { createHttpApp } from '../http/create-http-app.ts';
import { serveStylesheets } from '../http/stylesheet.ts';
import { WALLET_STYLESHEET } from './pages/page-layout.ts';
import { registerHealthRoutes } from '../http/health-routes.ts';
import { createLedger } from '../ledger/create-ledger.ts';
import type { SmsChannel } from '../notify/sms-channel.ts';
import type { SmsSimulator } from '../notify/sms-simulator.ts';
import { assert } from '../shared/assert.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import type { Database } from '../storage/database.ts';
import { createBankClient } from './bank-client.ts';
import { createDpopChargeSender } from './dpop-charge-sender.ts';
import type { EkycVendor } from './ekyc-vendor.ts';
import { createFapiOperatorClient } from './fapi-operator-client.ts';
import { createLinkTokenChargeSender } from './link-token-charge-sender.ts';
import { openWalletLedgerAccounts } from './open-wallet-ledger-accounts.ts';
import { registerBankAuthorizationRoutes } from './routes/bank-authorization-routes.ts';
import { registerChargeRoutes } from './routes/charge-routes.ts';
import { registerEkycRoutes } from './routes/ekyc-routes.ts';
import { registerHardenedSignUpRoutes } from './routes/hardened-sign-up-routes.ts';
import { registerHomeRoutes } from './routes/home-routes.ts';
import { registerLinkRoutes } from './routes/link-routes.ts';
import { registerLoginRoutes } from './routes/login-routes.ts';
import { createPageKit, DEVICE_COOKIES, FORM_TOKEN_COOKIES, HARDENED_SESSION_COOKIE, SESSION_COOKIE } from './routes/page-kit.ts';
import { createWalletDevices } from './wallet-devices.ts';
import { renderErrorPage } from './pages/message-page.ts';
import { FORM_TOKEN_KEY_NAME, registerFormCsrf, requireFormTokens } from '../http/form-csrf.ts';
import { loadAppSecret } from '../shared/app-secret.ts';
import { registerPayRoutes } from './routes/pay-routes.ts';
import { registerPhoneRoutes } from './routes/phone-routes.ts';
import { registerSendRoutes } from './routes/send-routes.ts';
import { registerSignUpRoutes } from './routes/sign-up-routes.ts';
import { registerSmsSimulatorRoutes, WALLET_SMS_SIMULATOR_PATH } from './routes/sms-simulator-routes.ts';
import type { WalletContext } from './wallet-context.ts';
import { createWalletSessions } from './wallet-sessions.ts';
import { loadWalletSigningKey } from './wallet-signing-key.ts';
import type { JWK } from 'jose';

/** The wallet's name in its header when the demo does not give one. */
export const DEFAULT_OPERATOR_NAME = 'furikae ウォレット';
/** Where the bank sends the browser back after consent; the bank registers `${public_url}${LINK_CALLBACK_PATH}`. */
export const LINK_CALLBACK_PATH = '/link/callback';

/** legacy_2020: the 2020 wallet, for the lab. hardened: phone + eKYC sign-up and a FAPI 2.0 link. */
export type WalletMode = 'legacy_2020' | 'hardened';

export interface WalletAppOptions {
  /** The wallet's own database, already migrated with [ledgerMigrations, walletMigrations]. */
  db: Database;
  clock: Clock;
  ids: Ids;
  log: Logger;
  /**
   * Where the bank is, and the operator credentials the bank issued to this wallet. In hardened mode `base_url` is
   * also the bank's public origin (its OAuth issuer is base_url + /oidc), and the Basic credentials serve only the
   * operator API (reading and revoking links); links and charges go through OAuth with the wallet's own key.
   */
  bank: { base_url: string; client_id: string; client_secret: string };
  /** The address users reach the wallet at; https there makes the session cookie Secure. Required in hardened mode. */
  public_url?: string;
  /** Shown in every page header. */
  operator_name?: string;
  /** legacy_2020 unless given. */
  mode?: WalletMode;
  /** Hardened mode: the wallet's own SMS gateway (not the bank's), for phone codes. */
  sms?: SmsChannel;
  /**
   * DEMO ONLY: serve this simulator's inbox (every code sent) at /simulator/sms and point the phone page at it.
   * Only `furikae demo` passes it; a wallet without it has no such page, whatever its SMS channel is.
   */
  demo_sms_inbox?: SmsSimulator;
  /** Hardened mode: the eKYC vendor. */
  ekyc?: EkycVendor;
  /** Hardened mode: the bank's name on the link page. */
  bank_name?: string;
}

export interface WalletApp {
  app: FastifyInstance;
  mode: WalletMode;
  /** The wallet's services (database, ledger, bank client), for the demo, the lab and tests. */
  context: WalletContext;
  /** Hardened mode: what the bank must register for this operator (its public keys and its one redirect URI). */
  registration?: { jwks: { keys: JWK[] }; redirect_uri: string };
  close(): Promise<void>;
}

/** Builds the wallet's web app over its migrated database; opens its fixed ledger accounts (and, hardened, its signing key) first. */
export async function createWalletApp(options: WalletAppOptions): Promise<WalletApp> {
  const { db, clock, ids, log } = options;
  const mode = options.mode ?? 'legacy_2020';
  const ledger = createLedger({ db, clock, log });
  const bank = createBankClient(options.bank);
  await openWalletLedgerAccounts(db, ledger);

  const hardened = mode === 'hardened' ? await hardenedParts(options) : undefined;
  const chargeSender = hardened ? createDpopChargeSender({ db, clock, log, fapi: hardened.fapi }) : createLinkTokenChargeSender(bank);
  const context: WalletContext = { db, ledger, clock, ids, log, bank, chargeSender };

  const operator_name = options.operator_name ?? DEFAULT_OPERATOR_NAME;
  // Every wallet route is a page: a browser gets its refusals in the wallet's frame, a script problem+json.
  const app = createHttpApp({ log, error_pages: { render: (problem) => renderErrorPage(operator_name, problem) } });
  serveStylesheets(app, [WALLET_STYLESHEET]);
  registerHealthRoutes(app, db);
  const secure_cookies = options.public_url?.startsWith('https:') ?? false;
  const cookie_name = hardened ? HARDENED_SESSION_COOKIE : SESSION_COOKIE;
  const devices = createWalletDevices({ cookie_name: DEVICE_COOKIES[cookie_name]!, secure_cookies });
  const kit = createPageKit({
    context,
    sessions: createWalletSessions({ db, clock }),
    operator_name,
    secure_cookies,
    cookie_name,
    devices,
  });
  const form_token_key = await loadAppSecret(db, FORM_TOKEN_KEY_NAME, clock.now());
  await app.register(async (pages) => {
    await pages.register(cookie);
    devices.register(pages);
    await pages.register(formbody);
    await registerFormCsrf(pages, {
      hmac_key: form_token_key, cookie_name: FORM_TOKEN_COOKIES[cookie_name]!, field: 'csrf_token', secure_cookies, session_cookies: [cookie_name],
    });
    requireFormTokens(pages, (request, reply) => kit.sendCsrfRefusal(request, reply));
    registerHomeRoutes(pages, kit, context, { hardened: hardened !== undefined });
    registerLoginRoutes(pages, kit, context);
    registerChargeRoutes(pages, kit, context);
    registerPayRoutes(pages, kit, context);
    registerSendRoutes(pages, kit, context);
    if (!hardened) {
      registerSignUpRoutes(pages, kit, context);
      registerLinkRoutes(pages, kit, context);
      return;
    }
    // Hardened: no 2020 sign-up and no PIN form at all, not even behind a flag.
    const inbox = options.demo_sms_inbox;
    registerHardenedSignUpRoutes(pages, kit, context, hardened.sms);
    registerPhoneRoutes(pages, kit, context, hardened.sms, inbox ? WALLET_SMS_SIMULATOR_PATH : undefined);
    await registerEkycRoutes(pages, kit, context, hardened.ekyc);
    registerBankAuthorizationRoutes(pages, kit, context, hardened.fapi, { public_url: hardened.public_url, bank_name: options.bank_name ?? '銀行 / the bank' });
    if (inbox) registerSmsSimulatorRoutes(pages, kit, inbox);
  });
  return {
    app,
    mode,
    context,
    ...(hardened ? { registration: { jwks: hardened.fapi.signing_key.public_jwks, redirect_uri: hardened.fapi.redirect_uri } } : {}),
    async close() {
      await app.close();
      await ledger.close();
    },
  };
}

/** The hardened mode's own parts: its SMS gateway and eKYC vendor, its signing key, and its OAuth client of the bank. */
async function hardenedParts(options: WalletAppOptions) {
  const { sms, ekyc, public_url } = options;
  assert(sms && ekyc && public_url, 'a hardened wallet needs its own SMS channel, an eKYC vendor and its public URL');
  const signing_key = await loadWalletSigningKey(options.db, options.clock);
  const fapi = createFapiOperatorClient({
    bank_url: options.bank.base_url,
    client_id: options.bank.client_id,
    redirect_uri: `${public_url.replace(/\/$/, '')}${LINK_CALLBACK_PATH}`,
    signing_key,
  });
  return { sms, ekyc, fapi, public_url: public_url.replace(/\/$/, '') };
}
