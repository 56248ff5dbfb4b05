import type { RiskConfig } from '../risk/risk-config.ts';
import type { RiskBand } from '../risk/risk-band.ts';
import { DEFAULT_RISK_CONFIG } from '../risk/default-risk-config.ts';

/** A velocity cap no benchmark reaches. */
const UNREACHED = 1_000_000_000;

/**
 * The shipped config with the velocity caps lifted out of reach. The benchmark drives thousands of charges a second
 * through 50 links, which the shipped caps would rightly deny after a few seconds; lifting them keeps every charge on
 * the allow path, so the figure is the cost of deciding (the same rules, features and SQL), not of refusing.
 */
export function benchRiskConfig(): RiskConfig {
  const velocity = DEFAULT_RISK_CONFIG.rules['velocity-over-caps@1'] as Record<string, RiskBand[]>;
  const lifted = Object.fromEntries(Object.entries(velocity).map(([name, bands]) => [name, [
    { lower: 0, upper: UNREACHED, outcome: 'pass', reason: bands[0]!.reason },
    ...bands.slice(1).map((band, index) => ({ ...band, lower: UNREACHED + index, upper: band.upper === null ? null : UNREACHED + index + 1 })),
  ]]));
  return { ...DEFAULT_RISK_CONFIG, id: 'bench-velocity-lifted@1', rules: { ...DEFAULT_RISK_CONFIG.rules, 'velocity-over-caps@1': lifted } };
}
