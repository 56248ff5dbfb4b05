import type { FastifyInstance } from 'fastify';
import { createHttpApp } from './http/create-http-app.ts';
import { registerOpenApi } from './http/openapi.ts';
import { pinPublicOrigin } from './http/public-origin.ts';
import { serveStylesheets } from './http/stylesheet.ts';
import { servePasskeyScripts } from './web/passkey-scripts.ts';
import { BANK_STYLESHEET, CONSOLE_STYLESHEET } from './web/layout.ts';
import { registerHealthRoutes } from './http/health-routes.ts';
import { linkRoutes } from './http/routes/link-routes.ts';
import { chargeRoutes } from './http/routes/charge-routes.ts';
import { createBankServices, type BankServices, type BankServicesDeps } from './bank-services.ts';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { createSessionStore, SESSION_KINDS } from './web/session-store.ts';
import { BANK_API_PATHS, renderBankErrorPage } from './web/error-page.ts';
import { FORM_TOKEN_KEY_NAME, registerFormCsrf } from './http/form-csrf.ts';
import { loadAppSecret } from './shared/app-secret.ts';
import { customerPages } from './web/customer-pages.ts';
import { staffPages } from './web/staff-pages.ts';
import { securityPages } from './web/security-pages.ts';
import { staffSecurityPages } from './web/staff-security-pages.ts';
import type Provider from 'oidc-provider';
import { createAuthorizationServer } from './authorization/create-authorization-server.ts';
import { throttleClientAuthentication } from './authorization/client-auth-throttle.ts';
import { watchRefreshGrants } from './operators/watch-refresh-grants.ts';
import { registerHttpRateLimits, type HttpRateLimits } from './throttle/http-rate-limits.ts';
import { loadAuthorizationSecrets } from './authorization/authorization-secrets.ts';
import { createAccessTokenVerifier } from './authorization/access-token-verifier.ts';
import { mountProvider, OIDC_INTERACTION_COOKIE, OIDC_PATH } from './authorization/mount-provider.ts';
import { interactionRoutes } from './authorization/interaction-routes.ts';
import { createNotificationDispatcher, type NotificationDispatcher } from './notify/notification-dispatcher.ts';
import { createSmtpMailChannel } from './notify/smtp-mail-channel.ts';
import type { MailChannel } from './notify/mail-channel.ts';
import { notMePages } from './disputes/not-me-pages.ts';
import { LAB_REPORT_DIR_DEFAULT, MAIL_FROM_DEFAULT } from './config.ts';
import { webhookRoutes } from './webhooks/webhook-routes.ts';
import { approvalPages } from './stepup/approval-pages.ts';
import { createWaitingChargeJobs } from './stepup/waiting-charge-jobs.ts';
import { createAuditAnchoringJob } from './audit/audit-anchoring-job.ts';
import { staffLabPage } from './web/staff-lab-page.ts';
import { createStaffGate } from './web/staff-gate.ts';
import { createCampaignNoticeSource } from './outreach/campaign-notice-source.ts';
import { createIncidentJobs } from './incidents/incident-jobs.ts';
import { createExpiredRowsSweeper } from './storage/expired-rows-sweeper.ts';
import { createConsentReminderJob } from './linking/consent-reminders.ts';

/** The bank's form-token secret cookie (src/http/form-csrf.ts); the wallets on the same demo host have their own. */
export const FORM_TOKEN_COOKIE = 'furikae_csrf';

export interface BankApp {
  app: FastifyInstance;
  services: BankServices;
  /** The FAPI 2.0 authorization server, mounted at /oidc. */
  provider: Provider;
  issuer: string;
  /** Sends the outbox's notices; the app starts it and stops it on close. */
  notices: NotificationDispatcher;
  close(): Promise<void>;
}

export interface BankAppDeps extends BankServicesDeps {
  /** The origin customers and operators reach the bank at; the issuer and the API resource derive from it. */
  public_url: string;
  /** SMTP server for customer e-mail notices (SMTP_URL); without one, e-mails wait in the outbox. */
  smtp_url?: string;
  /** Where e-mail notices go instead of SMTP: the lab's customers' inboxes (src/lab/lab-mailboxes.ts). */
  mail?: MailChannel;
  mail_from?: string;
  /** Where `furikae lab run` wrote its report (FURIKAE_LAB_REPORT_DIR): the console's Lab page shows it. */
  lab_report_dir?: string;
  /** False: the app does not poll the outbox, and tests drive it with `notices.dispatchOnce()`. */
  notice_polling?: boolean;
  /** False: waiting charges are not expired nor webhooks sent in the background; tests call stepUp.expireDue() and webhookDispatcher.dispatchDue(). */
  waiting_charge_jobs?: boolean;
  /** False: approved compensations are not paid nor campaigns written in the background; tests call payDue() and enqueuePending(). */
  incident_jobs?: boolean;
  /** False: expired replay and authorization records are not swept in the background; tests call sweepExpiredRows(). */
  expired_rows_sweeping?: boolean;
  /** False: consents ending soon are not reminded of in the background; tests call remindExpiringConsents(). */
  consent_reminders?: boolean;
  /** Campaign e-mails per second across all bank processes (FURIKAE_CAMPAIGN_SENDS_PER_SECOND). */
  campaign_sends_per_second?: number;
  /** Requests per address per minute (src/throttle/http-rate-limits.ts); the shipped limits unless a test or the bench sets others. */
  rate_limits?: HttpRateLimits;
  /** The attack lab's longer life for pushed requests and codes (AuthorizationServerDeps.request_ttl_seconds); never set in service. */
  authorization_request_ttl_seconds?: number;
}

/** The bank: instant-transfer API, authorization server, OpenAPI docs, customer and staff pages. The database must be migrated. */
export async function createBankApp(deps: BankAppDeps): Promise<BankApp> {
  const services = await createBankServices(deps);
  const issuer = `${deps.public_url}${OIDC_PATH}`;
  const resource = `${deps.public_url}/v1`;
  const provider = await createAuthorizationServer({ db: deps.db, operators: services.operators, log: deps.log, issuer, resource, request_ttl_seconds: deps.authorization_request_ttl_seconds });
  throttleClientAuthentication(provider, services);
  watchRefreshGrants(provider, { ...services, raiseAlerts: (tx, alerts) => services.cases.raiseAlert(tx, alerts) });
  const verifier = createAccessTokenVerifier({ issuer, resource, public_url: deps.public_url, jwks: (await loadAuthorizationSecrets(deps.db)).jwks });
  const app = createHttpApp({ log: deps.log, error_pages: { api_paths: BANK_API_PATHS, render: renderBankErrorPage } });
  pinPublicOrigin(app, deps.public_url);
  await registerHttpRateLimits(app, deps.rate_limits);
  await registerOpenApi(app);
  serveStylesheets(app, [BANK_STYLESHEET, CONSOLE_STYLESHEET]);
  servePasskeyScripts(app);
  registerHealthRoutes(app, deps.db);
  await app.register(async (api) => {
    await linkRoutes(api, services);
    await chargeRoutes(api, services, verifier);
    await webhookRoutes(api, services);
  });
  await mountProvider(app, provider);
  const secure_cookies = deps.public_url.startsWith('https:');
  const form_token_key = await loadAppSecret(deps.db, FORM_TOKEN_KEY_NAME, deps.clock.now());
  await app.register(async (pages) => {
    await pages.register(cookie);
    await pages.register(formbody);
    await registerFormCsrf(pages, {
      hmac_key: form_token_key, cookie_name: FORM_TOKEN_COOKIE, field: 'csrf', secure_cookies,
      // A form is bound to the session its path carries: staff, customer, or oidc-provider's interaction.
      session_cookies: [SESSION_KINDS.staff.cookie, SESSION_KINDS.customer.cookie, OIDC_INTERACTION_COOKIE],
    });
    const sessions = createSessionStore({ db: deps.db, clock: deps.clock, secure_cookies });
    // One scope per page family, each refusing a bad form token with its own page.
    await pages.register(async (scope) => customerPages(scope, services, sessions));
    await pages.register(async (scope) => staffPages(scope, services, sessions));
    await pages.register(async (scope) => securityPages(scope, services, sessions));
    await pages.register(async (scope) => staffSecurityPages(scope, services, sessions));
    await pages.register(async (scope) => interactionRoutes(scope, { services, provider, issuer, resource }));
    await pages.register(async (scope) => approvalPages(scope, services, sessions));
    await pages.register(async (scope) => staffLabPage(scope, createStaffGate(services, sessions), { report_dir: deps.lab_report_dir ?? LAB_REPORT_DIR_DEFAULT }));
    await pages.register(async (scope) => notMePages(scope, { notMe: services.notMe }));
  });
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/bank/login'));

  const mail = deps.mail ?? (deps.smtp_url ? createSmtpMailChannel({ smtp_url: deps.smtp_url, from: deps.mail_from ?? MAIL_FROM_DEFAULT }) : undefined);
  if (!mail) deps.log.warn('SMTP_URL is unset: e-mail notices wait in the outbox until the bank runs with one');
  const notices = createNotificationDispatcher({
    db: deps.db, clock: deps.clock, log: deps.log.child({ part: 'notices' }), sms: services.sms, ...(mail ? { mail } : {}),
    tokens: services.notMeTokens, public_url: deps.public_url, metrics: services.metrics,
    bulk: createCampaignNoticeSource({ db: deps.db, clock: deps.clock, log: deps.log.child({ part: 'campaign-notices' }),
      ...(deps.campaign_sends_per_second ? { sends_per_second: deps.campaign_sends_per_second } : {}) }),
  });
  if (deps.notice_polling !== false) notices.start();
  const waitingJobs = createWaitingChargeJobs({ stepUp: services.stepUp, webhooks: services.webhookDispatcher, log: deps.log.child({ part: 'waiting-charges' }) });
  if (deps.waiting_charge_jobs !== false) waitingJobs.start();
  const anchoring = createAuditAnchoringJob({ audit: services.audit, log: deps.log.child({ part: 'audit-anchors' }) });
  if (deps.audit_anchor_file) await anchoring.start();
  const incidentJobs = createIncidentJobs({ compensations: services.compensations, campaigns: services.campaigns, log: deps.log.child({ part: 'incident-jobs' }) });
  if (deps.incident_jobs !== false) incidentJobs.start();
  const sweeper = createExpiredRowsSweeper({ db: deps.db, clock: deps.clock, log: deps.log.child({ part: 'expired-rows' }) });
  if (deps.expired_rows_sweeping !== false) sweeper.start();
  const consentReminders = createConsentReminderJob({ db: deps.db, clock: deps.clock, ids: deps.ids, log: deps.log.child({ part: 'consent-reminders' }) });
  if (deps.consent_reminders !== false) consentReminders.start();
  return {
    app,
    services,
    provider,
    issuer,
    notices,
    async close() {
      await app.close();
      await notices.stop();
      await waitingJobs.stop();
      if (deps.audit_anchor_file) await anchoring.stop();
      await incidentJobs.stop();
      await sweeper.stop();
      await consentReminders.stop();
      await mail?.close();
      await services.close();
    },
  };
}
