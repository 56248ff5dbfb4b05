import type { Database, Queryable } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import type { NewAlert } from '../cases/alert.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import type { RiskMode } from './risk-config.ts';
import type { RiskAction, RiskDecision } from './risk-outcome.ts';
import type { RiskPipeline } from './risk-pipeline.ts';
import type { RiskFeatures } from './risk-features.ts';
import { loadLinkFeatures, type LinkRiskRequest } from './load-link-features.ts';
import { recordRiskDecisions } from './record-risk-decisions.ts';
import { addOperatorActivity, recordOperatorSources } from '../operators/operator-activity.ts';
import type { OperatorAnomaly } from '../operators/operator-anomaly.ts';
import type { OperatorContainments } from '../operators/operator-containments.ts';
import type { ContainmentAction } from '../operators/operator.ts';

/** A link request's decision, to be recorded with the link once it is written. */
export interface LinkAssessment {
  request: LinkRiskRequest;
  features: RiskFeatures;
  customer_id: string;
  decision: RiskDecision;
  /** What takes effect: the decision's action when enforced, `allow` in observe mode. */
  action: RiskAction;
  decided_at: Date;
  /** The operator's anomaly level with this link counted. */
  operator_anomaly: OperatorAnomaly;
}

export interface LinkRiskDeps {
  db: Database;
  clock: Clock;
  ids: Ids;
  log: Logger;
  pipeline: RiskPipeline;
  mode: RiskMode;
  raiseAlerts: (tx: Queryable, alerts: readonly NewAlert[]) => Promise<unknown>;
  /** Automatic operator containment; without it no link contains its operator. */
  containments?: Pick<OperatorContainments, 'contain'>;
}

/**
 * Risk at link time: the same rule table on the link's features (new wallets from one device or IP, several
 * accounts on one device, identity match, a PIN link to a never-used operator, failed credentials, age, dormancy).
 * `deny` refuses the link (`link_denied`, its decision still recorded); `challenge` and `hold` let it through with a
 * staff alert, since the customer has either already approved with a second factor (FAPI) or is in the lab (legacy).
 */
export function createLinkRisk({ db, clock, ids, log, pipeline, mode, raiseAlerts, containments }: LinkRiskDeps) {
  const rowFor = (assessment: LinkAssessment, link_id: string | null) => ({
    id: ids.next(), charge_id: null, link_id, operator_id: assessment.request.operator_id, customer_id: assessment.customer_id,
    account_id: assessment.request.account_id, amount_yen: 0, decision: assessment.decision, enforced: mode === 'enforce',
    features: assessment.features, source_ip: assessment.request.source_ip, device_id: assessment.request.device_id, decided_at: assessment.decided_at,
  });

  return {
    /**
     * Decides a link before it is written. A denial is recorded and thrown as `link_denied`; anything else
     * comes back to be recorded with the link in the link's own transaction.
     */
    async assess(request: LinkRiskRequest): Promise<LinkAssessment> {
      const now = clock.now();
      const { features, customer_id, operator_anomaly } = await loadLinkFeatures(db, request, now);
      const decision = pipeline.decide(features);
      const assessment: LinkAssessment = { request, features, customer_id, decision, action: mode === 'enforce' ? decision.action : 'allow', decided_at: now, operator_anomaly };
      if (assessment.action === 'deny') {
        await db.transaction(async (tx) => {
          await recordRiskDecisions(tx, [rowFor(assessment, null)]);
          await raiseAlerts(tx, [{
            kind: 'risk_link', severity: 'high', summary: `New ${request.method} link refused`, customer_id, operator_id: request.operator_id,
            reason_codes: decision.reasons, details: { typologies: decision.typologies, config_id: decision.config_id, source_ip: request.source_ip, device_id: request.device_id },
          }]);
        });
        log.warn({ operator_id: request.operator_id, reasons: decision.reasons }, 'link denied by risk');
        throw new FurikaeError('link_denied', 'The bank declined this link');
      }
      return assessment;
    },

    /** Records the link's origin (with its counts) and decision, and raises an alert when it was flagged. */
    async record(tx: Queryable, assessment: LinkAssessment, link_id: string): Promise<void> {
      const { request, features } = assessment;
      await tx.query(
        `INSERT INTO link_origins (link_id, operator_id, account_id, customer_id, source_ip, device_id, device_links_24h, ip_links_24h, device_accounts_30d, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [link_id, request.operator_id, request.account_id, assessment.customer_id, request.source_ip, request.device_id,
          features.device_links_24h, features.ip_links_24h, features.device_accounts_30d, assessment.decided_at],
      );
      await recordRiskDecisions(tx, [rowFor(assessment, link_id)]);
      await addOperatorActivity(tx, [{ operator_id: request.operator_id, kind: 'link' }], assessment.decided_at);
      await recordOperatorSources(tx, [{ operator_id: request.operator_id, source_ip: request.source_ip }], assessment.decided_at);
      if (mode === 'enforce' && containments) {
        // A burst of new links contains the operator for the links after this one (this one's holder already consented).
        const [operator] = await tx.query<{ id: string; display_name: string; containment_level: number | null; containment_action: ContainmentAction }>(
          `SELECT id, display_name, containment_level, containment_action FROM operators WHERE id = $1`, [request.operator_id]);
        if (operator && operator.containment_level !== null && assessment.operator_anomaly.level >= operator.containment_level) {
          await containments.contain(tx, operator, assessment.operator_anomaly, assessment.decided_at);
        }
      }
      if (assessment.action !== 'allow') {
        await raiseAlerts(tx, [{
          kind: 'risk_link', severity: assessment.action === 'hold' ? 'high' : 'medium', summary: `New ${request.method} link flagged: ${assessment.action}`,
          customer_id: assessment.customer_id, link_id, operator_id: request.operator_id, reason_codes: assessment.decision.reasons,
          details: { typologies: assessment.decision.typologies, config_id: assessment.decision.config_id },
        }]);
      }
    },
  };
}

export type LinkRisk = ReturnType<typeof createLinkRisk>;
