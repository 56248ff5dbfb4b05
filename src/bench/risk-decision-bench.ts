import { createRiskPipeline } from '../risk/risk-pipeline.ts';
import { DEFAULT_RISK_CONFIG } from '../risk/default-risk-config.ts';
import type { RiskFeatures } from '../risk/risk-features.ts';
import { ORDINARY_CHARGE, THEFT_2020_CHARGE, riskFeatures } from '../risk/sample-risk-features.ts';
import type { RiskAction } from '../risk/risk-outcome.ts';

/** What the in-process decision benchmark measured. */
export interface RiskDecisionBenchRow {
  evaluations: number;
  decisions_per_second: number;
  latency_ms_median: number;
  latency_ms_p99: number;
  /** How the sample decided, to show the mix was realistic. */
  actions: Record<RiskAction, number>;
}

/** A deterministic pseudo-random stream (mulberry32), so every run decides the same features. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_SECONDS = 24 * 60 * 60;
const AMOUNTS_YEN = [500, 1_000, 3_000, 5_000, 10_000, 20_000, 30_000, 50_000, 100_000];

/**
 * Realistic features: mostly ordinary top-ups on links of every age, some new legacy links of elderly customers,
 * a few velocity bursts, failed logins, dormant accounts and device farms; about what a day's traffic mixes.
 */
export function sampleFeatures(count: number, seed = 2020): RiskFeatures[] {
  const next = random(seed);
  const pick = <T>(values: readonly T[]) => values[Math.floor(next() * values.length)]!;
  return Array.from({ length: count }, () => {
    const roll = next();
    const base = roll < 0.85 ? ORDINARY_CHARGE : THEFT_2020_CHARGE;
    return riskFeatures({
      amount_yen: pick(AMOUNTS_YEN),
      link_age_seconds: Math.floor(next() * (roll < 0.85 ? 400 : 2) * DAY_SECONDS),
      customer_age_years: 20 + Math.floor(next() * 70),
      link_charges_1h: 1 + Math.floor(next() * (next() < 0.02 ? 80 : 5)),
      customer_charges_24h: 1 + Math.floor(next() * 20),
      device_charges_1h: next() < 0.3 ? null : 1 + Math.floor(next() * 8),
      device_accounts_30d: next() < 0.3 ? null : next() < 0.01 ? 5 : 1,
      device_links_24h: next() < 0.3 ? null : next() < 0.01 ? 7 : 1,
      credential_failure_seconds_ago: next() < 0.03 ? Math.floor(next() * DAY_SECONDS) : null,
      account_idle_days: next() < 0.02 ? 200 + Math.floor(next() * 800) : Math.floor(next() * 60),
    }, base);
  });
}

/**
 * Times the risk pipeline's decision in process: `evaluations` decisions over `sampleFeatures`, each timed on its
 * own with the monotonic clock after a warm-up, so the median and p99 are per decision (rules, typologies, reasons).
 */
export function runRiskDecisionBench({ evaluations, samples_count = 10_000 }: { evaluations: number; samples_count?: number }): RiskDecisionBenchRow {
  const pipeline = createRiskPipeline(DEFAULT_RISK_CONFIG);
  const samples = sampleFeatures(samples_count);
  // Warm-up: let the JIT compile the rules before anything is timed.
  for (let i = 0; i < Math.min(evaluations, 20_000); i++) pipeline.decide(samples[i % samples.length]!);
  const timings = new Float64Array(evaluations);
  const actions: Record<RiskAction, number> = { allow: 0, challenge: 0, hold: 0, deny: 0 };
  for (let i = 0; i < evaluations; i++) {
    const t0 = process.hrtime.bigint();
    const decision = pipeline.decide(samples[i % samples.length]!);
    timings[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    actions[decision.action] += 1;
  }
  timings.sort();
  // Throughput without the per-call timer, whose own cost is about that of a decision.
  const started = process.hrtime.bigint();
  for (let i = 0; i < evaluations; i++) pipeline.decide(samples[i % samples.length]!);
  const total_ms = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    evaluations,
    decisions_per_second: Math.round(evaluations / (total_ms / 1000)),
    latency_ms_median: timings[Math.floor(evaluations * 0.5)]!,
    latency_ms_p99: timings[Math.min(evaluations - 1, Math.floor(evaluations * 0.99))]!,
    actions,
  };
}
