import type { Database } from './storage/database.ts';
import type { Ledger } from './ledger/ledger-types.ts';
import type { Clock } from './shared/clock.ts';
import type { Ids } from './shared/ids.ts';
import type { Logger } from './shared/logger.ts';
import { createLedger } from './ledger/create-ledger.ts';
import { createBankCore, type BankCore } from './bank/bank-core.ts';
import { createOperatorRegistry, type OperatorRegistry } from './operators/operator-registry.ts';
import { createLinkStore, type LinkStore } from './linking/link-store.ts';
import { createChargePipeline, type ChargePipeline } from './charges/charge-pipeline.ts';
import type { SmsChannel } from './notify/sms-channel.ts';
import { createSmsCustomerNotifier, type NotifyCustomer } from './mfa/notify-customer.ts';
import { createSecondFactors, type SecondFactors } from './mfa/second-factors.ts';
import { createPasskeys, type Passkeys } from './mfa/passkeys.ts';
import { passkeyRelyingParty } from './mfa/passkey-relying-party.ts';
import { createFactorGate, type FactorGate } from './mfa/factor-gate.ts';
import type { SimSwapApi } from './telecom/sim-swap-api.ts';
import { createCredentialThrottle, type CredentialThrottle } from './throttle/credential-throttle.ts';
import { createOperatorContainment, type ContainmentPolicy } from './throttle/reverse-brute-force-containment.ts';
import { createBankMetrics, type BankMetrics } from './metrics/bank-metrics.ts';
import { createAuditLog, type AuditLog } from './audit/audit-log.ts';
import { createFileAuditAnchorStore } from './audit/file-audit-anchor-store.ts';
import { createCaseStore, type CaseStore } from './cases/case-store.ts';
import type { ChargeStep } from './charges/charge.ts';
import type { RiskConfig, RiskMode } from './risk/risk-config.ts';
import { DEFAULT_RISK_CONFIG } from './risk/default-risk-config.ts';
import { createRiskPipeline, type RiskPipeline } from './risk/risk-pipeline.ts';
import { createLinkRisk, type LinkRisk } from './risk/link-risk.ts';
import { createOperatorContainments, type OperatorContainments } from './operators/operator-containments.ts';
import { createStepUpApprovals, type StepUpApprovals } from './stepup/step-up-approvals.ts';
import { createOperatorWebhooks, type OperatorWebhooks } from './webhooks/operator-webhooks.ts';
import { createWebhookDispatcher, type WebhookDispatcher } from './webhooks/webhook-dispatcher.ts';
import { createWebhookSender } from './webhooks/webhook-sender.ts';
import { systemResolver, type WebhookResolver } from './webhooks/webhook-target.ts';
import { PUBLIC_TARGETS_ONLY, type WebhookTargetPolicy } from './webhooks/webhook-target-policy.ts';
import { createStaffDirectory, type StaffDirectory } from './staff/staff-directory.ts';
import { createOutboxCustomerNotifier } from './notify/outbox-customer-notifier.ts';
import { createNotMeTokens, type NotMeTokens } from './notify/not-me-token.ts';
import { createNotMeReports, type NotMeReports } from './disputes/not-me-reports.ts';
import { DEMO_NOT_ME_KEY } from './config.ts';
import { createIncidentStore, type IncidentStore } from './incidents/incident-store.ts';
import { createCompensations, type Compensations } from './compensation/compensations.ts';
import { createCompensationAgreements, type CompensationAgreements } from './compensation/compensation-agreements.ts';
import { createCampaigns, type Campaigns } from './outreach/campaigns.ts';
import { scanSuspectCharges } from './compensation/scan-suspect-charges.ts';
import { scanSegment } from './outreach/scan-segment.ts';

/** Everything the bank's routes and pages use, wired once. */
export interface BankServices {
  db: Database;
  ledger: Ledger;
  clock: Clock;
  ids: Ids;
  log: Logger;
  core: BankCore;
  operators: OperatorRegistry;
  links: LinkStore;
  charges: ChargePipeline;
  sms: SmsChannel;
  notifyCustomer: NotifyCustomer;
  secondFactors: SecondFactors;
  /** Passkey ceremonies (options and challenges); verification goes through secondFactors. */
  passkeys: Passkeys;
  /** Which factor may approve a link, a step-up or a new factor, with the carrier's SIM-swap check for SMS. */
  factorGate: FactorGate;
  throttle: CredentialThrottle;
  metrics: BankMetrics;
  /** Append-only, HMAC-chained record of every staff action, anchored outside the database. */
  audit: AuditLog;
  /** Alerts (risk, credentials, "not me") and the cases staff work them in. */
  cases: CaseStore;
  /** The risk rules, typologies and config every charge and link is decided by (checked at start-up). */
  risk: RiskPipeline;
  /** Risk at link time: decides a new link and records where it came from. */
  linkRisk: LinkRisk;
  /** Automatic operator containment: contained in the charge and link paths, released by an admin. */
  containments: OperatorContainments;
  /** Waiting charges: the customer's step-up approval, staff review of holds (approveHeld, denyHeld), timeouts. */
  stepUp: StepUpApprovals;
  /** Operators' webhook URLs and secrets. */
  webhooks: OperatorWebhooks;
  /** Sends webhook deliveries with retries. */
  webhookDispatcher: WebhookDispatcher;
  /** Staff users and their roles. */
  staff: StaffDirectory;
  /** Signs and checks the "this wasn't me" links in notices. */
  notMeTokens: NotMeTokens;
  /** Redeems a "this wasn't me" link: freezes the link and opens a dispute case. */
  notMe: NotMeReports;
  /** Incidents: scope, stages, owner, attached cases. */
  incidents: IncidentStore;
  /** Compensation with four eyes: propose, approve (then pay), reject, and pay what was approved but not paid. */
  compensations: Compensations;
  /** Each operator's share of compensation. */
  compensationAgreements: CompensationAgreements;
  /** Bulk outreach: campaigns to segments of customers, written set-based and sent behind ordinary notices. */
  campaigns: Campaigns;
  close(): Promise<void>;
}

/** What the bank is built from. */
export interface BankServicesDeps {
  db: Database;
  clock: Clock;
  ids: Ids;
  log: Logger;
  /** HMAC key for credential fingerprints (src/throttle): the same in every process, kept out of the database. */
  credential_fingerprint_key: string;
  /** HMAC key of the audit chain (FURIKAE_AUDIT_KEY): the same in every process, kept out of the database. */
  audit_key: string;
  /** Where the audit chain's head is anchored (FURIKAE_AUDIT_ANCHOR_FILE); unset, nothing is anchored (tests, benchmarks). */
  audit_anchor_file?: string;
  /** Where text messages go: the HTTP SMS gateway in production, a simulator the demo and tests pass in. */
  sms: SmsChannel;
  /** The carrier's SIM Swap API (CAMARA): a carrier's client in production, SimulatedSimSwapApi in the demo, lab and tests. */
  simSwap: SimSwapApi;
  /** The risk config (the shipped one when not given) and whether it is enforced or only observed. */
  risk?: { config?: RiskConfig; mode?: RiskMode };
  /**
   * What a reverse brute force on the legacy link does to the operators it came through: `suspend_new_links` (the
   * default) or `alert_only` (the 2020 bank, which the lab reproduces).
   */
  reverse_brute_force_containment?: ContainmentPolicy;
  /**
   * How long after a link is made a typed code approves none of its charges (src/mfa/factor-policy.ts
   * NEW_LINK_CODE_COOLING_OFF_MS when unset); 0 lets codes approve at once, as the lab's comparison configuration does.
   */
  new_link_code_cooling_off_ms?: number;
  /** The bank's public origin, for links in messages (the step-up approval page) and the origin passkeys are made for. */
  public_url?: string;
  /** The passkeys' RP id (src/mfa/passkey-relying-party.ts); the public origin's host when unset. */
  passkey_rp_id?: string;
  /** The charge path's steps; the shipped table unless a benchmark drops one. */
  charge_steps?: readonly ChargeStep[];
  /** HMAC key for "this wasn't me" links (src/notify/not-me-token.ts), from configuration. */
  not_me_key: string;
  /** Where webhooks may go: public https addresses through the system resolver unless the demo or a test opens loopback. */
  webhook_targets?: { policy: WebhookTargetPolicy; resolve?: WebhookResolver };
}

/** Wires the bank's services over a migrated database. */
export async function createBankServices({ db, clock, ids, log, credential_fingerprint_key, audit_key, audit_anchor_file, sms, simSwap, not_me_key,
  risk = {}, public_url = 'http://127.0.0.1', passkey_rp_id, charge_steps, webhook_targets = { policy: PUBLIC_TARGETS_ONLY },
  reverse_brute_force_containment = 'suspend_new_links', new_link_code_cooling_off_ms }: BankServicesDeps): Promise<BankServices> {
  const ledger = createLedger({ db, clock, log });
  const core = createBankCore({ db, ledger, clock, ids });
  await core.ensureBankAccounts();
  // Before the charge pipeline: its risk step raises alerts in the batch's transaction.
  const audit = createAuditLog({ db, clock, ids, key: audit_key, ...(audit_anchor_file ? { anchors: createFileAuditAnchorStore(audit_anchor_file) } : {}) });
  // A chain that still ends in legacy SHA-256 entries is sealed under the key before any new entry (or refused: wrong key).
  await audit.ensureKeyed();
  const cases = createCaseStore({ db, clock, ids, audit });
  // An unknown rule or a bad band in the config stops the bank here, with every problem listed.
  const riskPipeline = createRiskPipeline(risk.config ?? DEFAULT_RISK_CONFIG, {
    onRuleError: (rule, error) => log.error({ err: error, rule }, 'risk rule failed; the decision holds'),
  });
  const riskMode = risk.mode ?? 'enforce';
  const raiseAlerts = (tx: Parameters<CaseStore['raiseAlert']>[0], alerts: Parameters<CaseStore['raiseAlert']>[1]) => cases.raiseAlert(tx, alerts);
  const containments = createOperatorContainments({ db, clock, ids, audit, raiseAlerts, enforced: riskMode === 'enforce' });
  const charges = createChargePipeline({
    db, ledger, clock, ids, log, risk: { pipeline: riskPipeline, mode: riskMode, raiseAlerts, containments }, ...(charge_steps ? { steps: charge_steps } : {}),
  });
  // Security notices go by SMS at once and, through the outbox, by e-mail too.
  const notifyCustomer = createOutboxCustomerNotifier({ db, ids, clock, sms: createSmsCustomerNotifier({ db, sms, log }) });
  const notMeTokens = createNotMeTokens({ key: not_me_key, clock });
  const passkeys = createPasskeys({ db, clock, ids, log, relying_party: passkeyRelyingParty(public_url, passkey_rp_id), raiseAlerts });
  const secondFactors = createSecondFactors({ db, clock, ids, sms, log, notifyCustomer, raiseAlerts, passkeys });
  const factorGate = createFactorGate({ db, clock, log, secondFactors, simSwap, raiseAlerts });
  const webhookTargets = { policy: webhook_targets.policy, resolve: webhook_targets.resolve ?? systemResolver };
  const operators = createOperatorRegistry({ db, ledger, clock, ids, audit });
  const containOperators = reverse_brute_force_containment === 'suspend_new_links'
    ? createOperatorContainment({ db, operators, alertQueue: cases, log }) : undefined;
  return {
    db, ledger, clock, ids, log, core, charges, sms, notifyCustomer, metrics: createBankMetrics(),
    audit, cases, staff: createStaffDirectory({ db, clock, ids }), notMeTokens, notMe: createNotMeReports({ db, clock, tokens: notMeTokens, cases, log }),
    secondFactors,
    passkeys,
    factorGate,
    risk: riskPipeline,
    linkRisk: createLinkRisk({ db, clock, ids, log, pipeline: riskPipeline, mode: riskMode, raiseAlerts, containments }),
    containments,
    stepUp: createStepUpApprovals({
      db, ledger, clock, ids, log, secondFactors, factorGate, sms, public_url, raiseAlerts, ...(new_link_code_cooling_off_ms === undefined ? {} : { new_link_code_cooling_off_ms }),
    }),
    webhooks: createOperatorWebhooks({ db, clock, ...webhookTargets }),
    webhookDispatcher: createWebhookDispatcher({ db, clock, log, send: createWebhookSender(webhookTargets) }),
    throttle: createCredentialThrottle({
      db, clock, ids, log, fingerprint_key: credential_fingerprint_key, notifyCustomer, alertQueue: cases, ...(containOperators ? { containOperators } : {}),
    }),
    operators,
    links: createLinkStore({ db, clock }),
    incidents: createIncidentStore({ db, clock, ids, audit }),
    compensations: createCompensations({ db, ledger, clock, ids, audit, log: log.child({ part: 'compensation' }), scans: scanSuspectCharges }),
    compensationAgreements: createCompensationAgreements({ db, clock, audit }),
    campaigns: createCampaigns({ db, clock, ids, audit, log: log.child({ part: 'campaigns' }), scans: scanSegment }),
    async close() {
      await charges.close();
      await ledger.close();
    },
  };
}
