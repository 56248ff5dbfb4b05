import { bandProblems, type RiskBand } from '../risk/risk-band.ts';
import { REASON_CODE, RISK_ACTIONS, type RiskAction, type RuleOutcome, type RuleResult } from '../risk/risk-outcome.ts';
import { RULE_ERROR_REASON } from '../risk/risk-pipeline.ts';
import type { ScanLinkFeatures } from './scan-link-features.ts';
import type { ScanRule } from './scan-rule.ts';
import { scanRules } from './scan-rules.ts';
import { ScanConfigError, type ScanConfig } from './scan-config.ts';

const RULE_KEY = /^([a-z][a-z0-9-]*)@([1-9][0-9]*)$/;

/** What the typology says about one link's history. */
export interface LinkScore {
  /** Weighted points of the scan rules that alerted or blocked, plus today's decision on the link request. */
  score: number;
  /** Reason codes of the scan rules that alerted or blocked (and `rule_error`). */
  reasons: string[];
  rules: RuleResult[];
}

function isOutcome(value: unknown): value is RuleOutcome {
  const candidate = value as RuleOutcome | undefined;
  return ['pass', 'alert', 'block'].includes(candidate?.outcome as string) && REASON_CODE.test(candidate?.reason ?? '');
}

function pointsProblems(name: string, points: Record<string, number> | undefined): string[] {
  return RISK_ACTIONS.filter((action) => action !== 'allow').flatMap((action) => {
    const value = points?.[action];
    return Number.isSafeInteger(value) && (value as number) >= 0 ? [] : [`${name}.${action} must be a whole number ≥ 0`];
  });
}

/**
 * Builds the scan typology for a config, refusing at once (ScanConfigError) an unknown rule, a weight on a rule the
 * config does not run, a band list with gaps, or a bad threshold. `scoreLink` is pure; a rule that throws scores
 * as a block (a scan lists what it could not clear, it never hides it) with the reason `rule_error`.
 */
export function createScanTypology(config: ScanConfig, { rules = scanRules }: { rules?: readonly ScanRule<any>[] } = {}) { // eslint-disable-line @typescript-eslint/no-explicit-any
  const problems: string[] = [];
  if (!RULE_KEY.test(config.id ?? '')) problems.push(`config id ${JSON.stringify(config.id)} must look like name@1`);
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const active: Array<{ key: string; rule: ScanRule<unknown>; config: unknown }> = [];
  for (const [key, ruleConfig] of Object.entries(config.rules ?? {})) {
    const match = RULE_KEY.exec(key);
    const rule = match ? byId.get(match[1]!) : undefined;
    if (!match || !rule) {
      problems.push(`unknown scan rule ${JSON.stringify(key)}: known rules are ${rules.map((r) => `${r.id}@${r.version}`).join(', ')}`);
      continue;
    }
    if (Number(match[2]) !== rule.version) {
      problems.push(`scan rule ${key}: this build has ${rule.id}@${rule.version}`);
      continue;
    }
    for (const problem of rule.configProblems(ruleConfig)) problems.push(`scan rule ${key}: ${problem}`);
    const bandLists = typeof ruleConfig === 'object' && ruleConfig !== null
      ? Object.entries(ruleConfig).filter(([name]) => name.endsWith('_bands')) as Array<[string, RiskBand[]]> : [];
    for (const [name, bands] of bandLists) for (const problem of bandProblems(bands)) problems.push(`scan rule ${key}: ${name} ${problem}`);
    active.push({ key, rule, config: ruleConfig });
  }
  const typology = config.typology;
  const keys = new Set(active.map((entry) => entry.key));
  for (const [key, weight] of Object.entries(typology?.weights ?? {})) {
    if (!keys.has(key)) problems.push(`typology weighs ${key}, which this config does not run`);
    for (const value of [weight?.alert, weight?.block]) {
      if (!Number.isSafeInteger(value) || (value as number) < 0) problems.push(`weights of ${key} must be whole numbers ≥ 0`);
    }
  }
  problems.push(...pointsProblems('link_decision_points', typology?.link_decision_points), ...pointsProblems('charge_decision_points', typology?.charge_decision_points));
  if (!(Number.isSafeInteger(typology?.suspect_score_min) && typology.suspect_score_min > 0)) problems.push('suspect_score_min must be a positive integer');
  if (problems.length > 0) throw new ScanConfigError(String(config.id), problems);

  return {
    config_id: config.id,
    typology_id: typology.id,
    suspect_score_min: typology.suspect_score_min,

    /** Scores one link's history; today's decision on its link request adds its points. */
    scoreLink(features: ScanLinkFeatures, link_decision: RiskAction): LinkScore {
      const results: RuleResult[] = [];
      let score = link_decision === 'allow' ? 0 : typology.link_decision_points[link_decision];
      const reasons: string[] = [];
      for (const { key, rule, config: ruleConfig } of active) {
        let outcome: RuleOutcome;
        try {
          const answer: unknown = rule.evaluate(features, ruleConfig);
          if (!isOutcome(answer)) throw new Error(`rule answered ${JSON.stringify(answer)}`);
          outcome = answer;
        } catch {
          outcome = { outcome: 'block', reason: RULE_ERROR_REASON };
        }
        results.push({ rule: key, ...outcome });
        if (outcome.outcome === 'pass') continue;
        const weight = typology.weights[key];
        if (weight) score += outcome.outcome === 'block' ? weight.block : weight.alert;
        if (!reasons.includes(outcome.reason)) reasons.push(outcome.reason);
      }
      return { score, reasons, rules: results };
    },

    /** The points one charge adds to its link's score for today's decision on it. */
    chargePoints(decision: RiskAction): number {
      return decision === 'allow' ? 0 : typology.charge_decision_points[decision];
    },
  };
}

export type ScanTypology = ReturnType<typeof createScanTypology>;
