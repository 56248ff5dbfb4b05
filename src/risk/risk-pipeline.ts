import type { RiskFeatures } from './risk-features.ts';
import type { RiskRule } from './risk-rule.ts';
import { riskRules } from './risk-rules.ts';
import { bandProblems, type RiskBand } from './risk-band.ts';
import { RiskConfigError, type RiskConfig, type TypologyConfig } from './risk-config.ts';
import { REASON_CODE, RISK_ACTIONS, severer, type RiskAction, type RiskDecision, type RuleOutcome, type RuleResult, type TypologyScore } from './risk-outcome.ts';

const RULE_KEY = /^([a-z][a-z0-9-]*)@([1-9][0-9]*)$/;
/** The reason recorded when a rule throws or answers nonsense: the decision then holds, never allows. */
export const RULE_ERROR_REASON = 'rule_error';

interface ActiveRule {
  key: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked by the rule's own configProblems
  rule: RiskRule<any>;
  config: unknown;
}

/** Every band list in a rule config: the properties named `…_bands`. */
function bandLists(config: unknown): Array<[string, RiskBand[]]> {
  if (typeof config !== 'object' || config === null) return [];
  return Object.entries(config).filter(([name]) => name.endsWith('_bands')) as Array<[string, RiskBand[]]>;
}

function typologyProblems(typology: TypologyConfig, ruleKeys: Set<string>): string[] {
  const problems: string[] = [];
  const where = `typology ${typology.id}`;
  if (!RULE_KEY.test(typology.id)) problems.push(`${where}: id must look like name@1`);
  for (const [key, weight] of Object.entries(typology.weights ?? {})) {
    if (!ruleKeys.has(key)) problems.push(`${where} weighs rule ${key}, which this config does not run`);
    for (const value of [weight?.alert, weight?.block]) {
      if (!Number.isSafeInteger(value) || (value as number) < 0) problems.push(`${where}: weights of ${key} must be whole numbers ≥ 0`);
    }
  }
  if (!(Number.isSafeInteger(typology.alert_threshold) && typology.alert_threshold > 0)) problems.push(`${where}: alert_threshold must be a positive integer`);
  if (!(Number.isSafeInteger(typology.block_threshold) && typology.block_threshold >= typology.alert_threshold)) problems.push(`${where}: block_threshold must be an integer ≥ alert_threshold`);
  for (const action of [typology.on_alert, typology.on_block]) {
    if (!RISK_ACTIONS.includes(action) || action === 'allow') problems.push(`${where}: on_alert and on_block must be challenge, hold or deny`);
  }
  if (severer(typology.on_alert, typology.on_block) !== typology.on_block) problems.push(`${where}: on_block must be at least as severe as on_alert`);
  return problems;
}

function isOutcome(value: unknown): value is RuleOutcome {
  const candidate = value as RuleOutcome | undefined;
  return ['pass', 'alert', 'block', 'error'].includes(candidate?.outcome as string) && REASON_CODE.test(candidate?.reason ?? '');
}

export interface RiskPipelineOptions {
  /** The rule table; the shipped one unless a test brings its own. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each rule checks its own config type
  rules?: readonly RiskRule<any>[];
  /** Told when a rule throws, for the log; the decision itself records only `rule_error`. */
  onRuleError?: (rule: string, error: unknown) => void;
}

/**
 * Builds the decision function for a config, refusing at once (RiskConfigError) a rule id or version the table
 * does not have, a typology weighing a rule that does not run, or a band list with gaps. `decide` is pure:
 * rules → typology scores → the severest action; any rule that throws gives `error` and the decision holds.
 */
export function createRiskPipeline(config: RiskConfig, { rules = riskRules, onRuleError }: RiskPipelineOptions = {}) {
  const problems: string[] = [];
  if (!RULE_KEY.test(config.id ?? '')) problems.push(`config id ${JSON.stringify(config.id)} must look like name@1`);
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const active: ActiveRule[] = [];
  for (const [key, ruleConfig] of Object.entries(config.rules ?? {})) {
    const match = RULE_KEY.exec(key);
    const rule = match ? byId.get(match[1]!) : undefined;
    if (!match || !rule) {
      problems.push(`unknown rule ${JSON.stringify(key)}: known rules are ${rules.map((r) => `${r.id}@${r.version}`).join(', ')}`);
      continue;
    }
    if (Number(match[2]) !== rule.version) {
      problems.push(`rule ${key}: this build has ${rule.id}@${rule.version}, not version ${match[2]}`);
      continue;
    }
    for (const problem of rule.configProblems(ruleConfig)) problems.push(`rule ${key}: ${problem}`);
    for (const [name, bands] of bandLists(ruleConfig)) {
      for (const problem of bandProblems(bands)) problems.push(`rule ${key}: ${name} ${problem}`);
    }
    active.push({ key, rule, config: ruleConfig });
  }
  const ruleKeys = new Set(active.map((entry) => entry.key));
  const typologyIds = new Set<string>();
  for (const typology of config.typologies ?? []) {
    if (typologyIds.has(typology.id)) problems.push(`typology ${typology.id} appears twice`);
    typologyIds.add(typology.id);
    problems.push(...typologyProblems(typology, ruleKeys));
  }
  if (problems.length > 0) throw new RiskConfigError(String(config.id), problems);

  return {
    config_id: config.id,
    /** The `id@version` of every rule this config runs. */
    rule_keys: [...ruleKeys],

    /** Decides one charge or link from its features. Never throws for a rule's failure. */
    decide(features: RiskFeatures): RiskDecision {
      const results: RuleResult[] = [];
      let errored = false;
      for (const { key, rule, config: ruleConfig } of active) {
        if (!rule.stages.includes(features.stage)) continue;
        let outcome: RuleOutcome;
        try {
          const answer: unknown = rule.evaluate(features, ruleConfig);
          if (!isOutcome(answer) || answer.outcome === 'error') throw new Error(`rule answered ${JSON.stringify(answer)}`);
          outcome = answer;
        } catch (error) {
          onRuleError?.(key, error);
          outcome = { outcome: 'error', reason: RULE_ERROR_REASON };
          errored = true;
        }
        results.push({ rule: key, outcome: outcome.outcome, reason: outcome.reason });
      }
      const outcomeOf = new Map(results.map((result) => [result.rule, result.outcome]));
      let action: RiskAction = 'allow';
      const reasons = [...new Set(results.filter((r) => r.outcome === 'alert' || r.outcome === 'block').map((r) => r.reason))];
      const typologies: TypologyScore[] = [];
      for (const typology of config.typologies) {
        let score = 0;
        for (const [key, weight] of Object.entries(typology.weights)) {
          const outcome = outcomeOf.get(key);
          if (outcome === 'alert') score += weight.alert;
          else if (outcome === 'block') score += weight.block;
        }
        const acted: RiskAction = score >= typology.block_threshold ? typology.on_block : score >= typology.alert_threshold ? typology.on_alert : 'allow';
        typologies.push({ typology: typology.id, score, action: acted });
        if (acted !== 'allow') reasons.push(`typology:${typology.id}`);
        action = severer(action, acted);
      }
      if (errored) {
        // Fail safe: a rule that could not decide never lets money move unreviewed.
        action = severer(action, 'hold');
        reasons.push(RULE_ERROR_REASON);
      }
      return { action, reasons, rules: results, typologies, config_id: config.id };
    },
  };
}

export type RiskPipeline = ReturnType<typeof createRiskPipeline>;
