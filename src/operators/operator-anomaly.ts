import type { OperatorActivityKind, OperatorWindowCounts } from './operator-activity.ts';
import type { OperatorBaseline } from './operator-baselines.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Until an operator has been registered this long its history says little, so the wider new-operator floors apply. */
export const OPERATOR_ESTABLISHED_MS = 7 * DAY_MS;

/** A measure the level is taken over: a kind of event in a window. */
export type AnomalyMeasure = 'charge_10m' | 'charge_1h' | 'link_1h' | 'refresh_1h';

/**
 * The least each measure's baseline is taken to be. A quiet operator's peak may be 0 or 1, and 3 charges where there
 * was 1 is no attack; the floor keeps the level a ratio against a meaningful number. Established operators: small
 * enough that a leaked database charging hundreds of links (2020's 500 in 10 minutes) reaches level 5 within its
 * first 25 charges. New operators (no history to compare with): wide enough for an ordinary launch day, so a new
 * operator is compared with its own first hours, not contained for having customers.
 */
export const ANOMALY_FLOORS: Record<'established' | 'new', Record<AnomalyMeasure, number>> = {
  established: { charge_10m: 5, charge_1h: 15, link_1h: 5, refresh_1h: 15 },
  new: { charge_10m: 50, charge_1h: 200, link_1h: 50, refresh_1h: 200 },
};

const MEASURES: readonly { measure: AnomalyMeasure; kind: OperatorActivityKind; window: '10m' | '1h' }[] = [
  { measure: 'charge_10m', kind: 'charge', window: '10m' },
  { measure: 'charge_1h', kind: 'charge', window: '1h' },
  { measure: 'link_1h', kind: 'link', window: '1h' },
  { measure: 'refresh_1h', kind: 'refresh', window: '1h' },
];

/** How far an operator is above itself: the level, the measure that set it, and the numbers behind it for staff. */
export interface OperatorAnomaly {
  /** The largest ratio of a window's count to the operator's own busiest such window (or the floor), 2 decimals. */
  level: number;
  measure: AnomalyMeasure;
  count: number;
  baseline: number;
  established: boolean;
}

/** The operator's anomaly level now, from its window counts, its baseline and how long it has been registered. */
export function operatorAnomaly(counts: Record<OperatorActivityKind, OperatorWindowCounts>, baseline: OperatorBaseline, registered_at: Date, now: Date): OperatorAnomaly {
  const established = now.getTime() - registered_at.getTime() >= OPERATOR_ESTABLISHED_MS;
  const floors = ANOMALY_FLOORS[established ? 'established' : 'new'];
  let worst: OperatorAnomaly | undefined;
  for (const { measure, kind, window } of MEASURES) {
    const count = window === '10m' ? counts[kind].count_10m : counts[kind].count_1h;
    const peak = window === '10m' ? baseline[kind].peak_10m : baseline[kind].peak_1h;
    const bar = Math.max(peak, floors[measure]);
    const level = Math.round((count / bar) * 100) / 100;
    if (!worst || level > worst.level) worst = { level, measure, count, baseline: bar, established };
  }
  return worst!;
}
