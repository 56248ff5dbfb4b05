/**
 * Fraud pattern: an operator's stolen database (refresh tokens, DPoP keys, client key) used to charge many of its
 * links at once. Each charge looks ordinary on its own link; only the operator's own volume is out of line: ~500
 * links charged in 10 minutes by an operator whose busiest hour had held 6 charges, every decision `allow`, and the
 * first alert a customer's "not me" 70 minutes later (furikae issue 12, point 4). The level is the operator's
 * volume against its own busiest window (src/operators/operator-anomaly.ts). Documented in docs/risk-rules.md.
 */
import { bandFor, type RiskBand } from '../risk-band.ts';
import { defineRule } from '../risk-rule.ts';

export interface OperatorActivityAnomalyConfig {
  /** Bands over the operator's anomaly level (a ratio: 1 is its busiest window so far). */
  level_bands: RiskBand[];
}

export const operatorActivityAnomaly = defineRule<OperatorActivityAnomalyConfig>({
  id: 'operator-activity-anomaly',
  version: 1,
  catches: 'an operator charging, linking or refreshing far above its own busiest window (a leaked operator database)',
  stages: ['charge', 'link'],
  configProblems: () => [],
  evaluate(features, config) {
    if (features.operator_anomaly_level === null) return { outcome: 'pass', reason: 'operator_level_not_measured' };
    return bandFor(config.level_bands, features.operator_anomaly_level);
  },
});
