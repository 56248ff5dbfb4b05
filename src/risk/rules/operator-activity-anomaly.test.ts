import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RISK_CONFIG } from '../default-risk-config.ts';
import { createRiskPipeline } from '../risk-pipeline.ts';
import { riskFeatures } from '../sample-risk-features.ts';
import { operatorActivityAnomaly, type OperatorActivityAnomalyConfig } from './operator-activity-anomaly.ts';

const config = DEFAULT_RISK_CONFIG.rules['operator-activity-anomaly@1'] as OperatorActivityAnomalyConfig;
const at = (level: number | null) => operatorActivityAnomaly.evaluate(riskFeatures({ operator_anomaly_level: level }), config);

describe('operator-activity-anomaly@1', () => {
  test('a level is a ratio, so the bands hold just under and at their edges: 2.99 passes, 3 alerts, 4.99 alerts, 5 blocks', () => {
    assert.equal(at(2.99).outcome, 'pass');
    assert.deepEqual(at(3), { outcome: 'alert', reason: 'operator_above_its_history' });
    assert.equal(at(4.99).outcome, 'alert');
    assert.deepEqual(at(5), { outcome: 'block', reason: 'operator_far_above_its_history' });
  });

  test('a level not measured (a retrospective scan) passes', () => {
    assert.deepEqual(at(null), { outcome: 'pass', reason: 'operator_level_not_measured' });
  });

  test('in the shipped config an ordinary charge through an operator at 3× its history is challenged, and at 5× held', () => {
    const pipeline = createRiskPipeline(DEFAULT_RISK_CONFIG);
    assert.equal(pipeline.decide(riskFeatures({ operator_anomaly_level: 2.9 })).action, 'allow');
    assert.equal(pipeline.decide(riskFeatures({ operator_anomaly_level: 3 })).action, 'challenge');
    assert.equal(pipeline.decide(riskFeatures({ operator_anomaly_level: 5 })).action, 'hold');
  });
});
