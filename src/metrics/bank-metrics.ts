import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The bank's Prometheus metrics, one registry per app (no global default registry, so tests and several
 * apps in one process never mix their counts). Served at /metrics.
 */
export function createBankMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    /** Charges answered, by decision (allow, challenge, hold, deny) or refusal code. */
    charges: new Counter({ name: 'furikae_charges_total', help: 'Charges answered, by outcome', labelNames: ['outcome'] as const, registers: [registry] }),
    /** Risk rule outcomes other than pass, by rule and outcome. */
    ruleHits: new Counter({ name: 'furikae_risk_rule_hits_total', help: 'Risk rule hits by rule and outcome', labelNames: ['rule', 'outcome'] as const, registers: [registry] }),
    /** Time from the event (link, charge) to the notification's delivery, by channel. */
    notificationLatency: new Histogram({
      name: 'furikae_notification_latency_seconds', help: 'Event to delivered notification', labelNames: ['channel'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300], registers: [registry],
    }),
    /** Age of the oldest undelivered outbox message. */
    // Under `serve --workers N` the primary sums workers' metrics; every worker sees the same outbox, so the oldest is the max.
    outboxLag: new Gauge({ name: 'furikae_outbox_lag_seconds', help: 'Age of the oldest undelivered notification', aggregator: 'max', registers: [registry] }),
  };
}

export type BankMetrics = ReturnType<typeof createBankMetrics>;
