import { REASON_CODE, type RuleOutcome } from './risk-outcome.ts';

/**
 * A half-open band [lower, upper) over one feature, and what a value inside it means (after Tazama's rule
 * bands). `upper: null` means no upper end. Bands of one list are contiguous and start at `lower` of the first.
 */
export interface RiskBand {
  lower: number;
  upper: number | null;
  outcome: 'pass' | 'alert' | 'block';
  reason: string;
}

/** The band holding `value`: lower ≤ value < upper. Throws if none does, which the pipeline records as `error`. */
export function bandFor(bands: readonly RiskBand[], value: number): RuleOutcome {
  if (!Number.isFinite(value)) throw new Error(`feature value ${value} is not a finite number`);
  const band = bands.find((candidate) => value >= candidate.lower && (candidate.upper === null || value < candidate.upper));
  if (!band) throw new Error(`no band holds ${value}`);
  return { outcome: band.outcome, reason: band.reason };
}

/** Problems with a band list: empty, gaps, overlaps, a finite last upper, bad reasons. Empty when fine. */
export function bandProblems(bands: readonly RiskBand[]): string[] {
  if (!Array.isArray(bands) || bands.length === 0) return ['has no bands'];
  const problems: string[] = [];
  bands.forEach((band, index) => {
    if (!Number.isFinite(band.lower)) problems.push(`band ${index} has no finite lower bound`);
    if (band.upper !== null && !(Number.isFinite(band.upper) && band.upper > band.lower)) problems.push(`band ${index} has upper ${band.upper} not above lower ${band.lower}`);
    if (!['pass', 'alert', 'block'].includes(band.outcome)) problems.push(`band ${index} has outcome ${String(band.outcome)}`);
    if (!REASON_CODE.test(band.reason)) problems.push(`band ${index} has reason ${JSON.stringify(band.reason)}, not a snake_case code`);
    const next = bands[index + 1];
    if (next && band.upper !== next.lower) problems.push(`band ${index} ends at ${band.upper} but band ${index + 1} starts at ${next.lower}`);
    if (!next && band.upper !== null) problems.push(`the last band ends at ${band.upper}; it must be open (upper: null)`);
  });
  return problems;
}

/** The more severe of two rule outcomes (error > block > alert > pass); the first wins a tie. */
export function worseOutcome(a: RuleOutcome, b: RuleOutcome): RuleOutcome {
  const rank = { pass: 0, alert: 1, block: 2, error: 3 } as const;
  return rank[b.outcome] > rank[a.outcome] ? b : a;
}
