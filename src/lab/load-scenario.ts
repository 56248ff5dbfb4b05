import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { parseDocument } from 'yaml';
import { FurikaeError } from '../errors/furikae-error.ts';
import { createRiskPipeline } from '../risk/risk-pipeline.ts';
import { RiskConfigError, type RiskConfig } from '../risk/risk-config.ts';
import { withNewLinkLimit } from '../risk/default-risk-config.ts';
import { distributionProblem, distributionRange, type Distribution } from './distribution.ts';
import { capabilityById, labCapabilities } from './lab-capabilities.ts';
import { shippedConfiguration, type LabConfiguration } from './lab-configurations.ts';
import { Scenario, type BehaviourSpec } from './scenario-schema.ts';
import type { Holding } from './holdings.ts';

/** Largest scenario file read: a scenario is a page of settings; anything near this is not one. */
export const SCENARIO_FILE_BYTES_MAX = 1024 * 1024;
/** Ages a customer may have: an adult account holder, and no older than people live. */
const AGE_YEARS_RANGE = [18, 110] as const;

/** A scenario that passed every check, with its configurations resolved. */
export interface LoadedScenario {
  scenario: Scenario;
  configurations: LabConfiguration[];
  /** Where it was read from, for messages. */
  file: string;
}

// ajv-formats ships CommonJS; under ESM its function sits on `default`.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
const validateShape = ajv.compile(Scenario);

/** The one problem a scenario file has, naming the file and the JSON path; nothing runs. */
function invalid(file: string, path: string, message: string): FurikaeError {
  return new FurikaeError('lab_scenario_invalid', `${file}: ${path || '/'}: ${message}`, { file, path: path || '/' });
}

/** Of Ajv's errors, the one nearest the cause: the deepest path (a union's branches report shallower ones too). */
function firstError(errors: ErrorObject[]): { path: string; message: string } {
  const depth = (error: ErrorObject) => error.instancePath.split('/').length + (error.keyword === 'anyOf' ? -0.5 : 0);
  const deepest = [...errors].sort((a, b) => depth(b) - depth(a))[0]!;
  let message = deepest.message ?? 'is not valid';
  if (deepest.keyword === 'additionalProperties') message = `has no field "${(deepest.params as { additionalProperty: string }).additionalProperty}"`;
  if (deepest.keyword === 'required') return { path: `${deepest.instancePath}/${(deepest.params as { missingProperty: string }).missingProperty}`, message: 'is required' };
  if (deepest.instancePath === '/timeline/days' && deepest.keyword === 'maximum') message = 'a timeline is at most 20 years (7,305 days)';
  if (/\/customers$/.test(deepest.instancePath) && deepest.keyword === 'minimum') message = 'a population cannot be negative';
  return { path: deepest.instancePath, message };
}

/** Every distribution-shaped value in the document, with its path, so each is checked wherever it appears. */
function* distributions(value: unknown, path: string): Generator<{ path: string; distribution: Distribution }> {
  if (value === null || typeof value !== 'object') return;
  if (!Array.isArray(value) && ['uniform', 'lognormal', 'exponential', 'choice'].some((key) => key in value)) {
    yield { path, distribution: value as Distribution };
    return;
  }
  for (const [key, child] of Object.entries(value)) yield* distributions(child, `${path}/${key}`);
}

/** Checks one behaviour against its capability: known, for this kind of actor, parameters valid, operators known. */
function checkBehaviour(file: string, path: string, behaviour: BehaviourSpec, actor: 'customer' | 'attacker', operatorKeys: Set<string>): void {
  const capability = capabilityById(behaviour.capability);
  if (!capability) {
    const known = labCapabilities.filter((c) => c.actor === actor).map((c) => c.id).join(', ');
    throw invalid(file, `${path}/capability`, `unknown capability "${behaviour.capability}"; ${actor}s can: ${known}`);
  }
  if (capability.actor !== actor) throw invalid(file, `${path}/capability`, `"${capability.id}" is an ${capability.actor} capability, not a ${actor}'s`);
  const { capability: _, ...params } = behaviour;
  const validate = ajv.compile(capability.params);
  if (!validate(params)) {
    const error = firstError(validate.errors ?? []);
    throw invalid(file, `${path}${error.path}`, error.message);
  }
  for (const problem of capability.paramProblems?.(params) ?? []) throw invalid(file, `${path}${problem.path}`, problem.message);
  for (const key of capability.operatorsNamed?.(params) ?? []) {
    if (!operatorKeys.has(key)) throw invalid(file, path, `names operator "${key}", which the scenario does not list`);
  }
}

/** Resolves the scenario's configurations: shipped ones by name, custom ones on top of one, each risk config checked as the bank would at start-up. */
function resolveConfigurations(file: string, scenario: Scenario): LabConfiguration[] {
  const seen = new Set<string>();
  return scenario.configurations.map((entry, index) => {
    const path = `/configurations/${index}`;
    let configuration: LabConfiguration;
    if (typeof entry === 'string') {
      const shipped = shippedConfiguration(entry);
      if (!shipped) throw invalid(file, path, `unknown configuration "${entry}"; shipped: 2020, hardened`);
      configuration = shipped;
    } else {
      const base = shippedConfiguration(entry.based_on)!;
      const chosen = (entry.risk_config as RiskConfig | undefined) ?? base.risk.config;
      const riskConfig = entry.new_link_unconfirmed_yen_max === undefined ? chosen : withNewLinkLimit(chosen, entry.new_link_unconfirmed_yen_max);
      configuration = {
        id: entry.id,
        based_on: entry.based_on,
        describes: entry.describes ?? `${base.describes}, changed`,
        operator_policy: {
          link_methods: entry.link_methods ?? base.operator_policy.link_methods, kyc_level_min: entry.kyc_level_min ?? base.operator_policy.kyc_level_min,
          registers_server_address: entry.registers_server_address ?? base.operator_policy.registers_server_address ?? false,
        },
        risk: { mode: entry.risk_mode ?? base.risk.mode, config: riskConfig },
        reverse_brute_force_containment: entry.reverse_brute_force_containment ?? base.reverse_brute_force_containment,
        asks_carrier_about_sim_swaps: entry.asks_carrier_about_sim_swaps ?? base.asks_carrier_about_sim_swaps,
        new_link_code_cooling_off_hours: entry.new_link_code_cooling_off_hours ?? base.new_link_code_cooling_off_hours,
      };
      try {
        createRiskPipeline(configuration.risk.config);
      } catch (error) {
        if (error instanceof RiskConfigError) throw invalid(file, `${path}/risk_config`, error.problems.join('; '));
        throw invalid(file, `${path}/risk_config`, error instanceof Error ? error.message : String(error));
      }
    }
    if (seen.has(configuration.id)) throw invalid(file, path, `configuration "${configuration.id}" is listed twice`);
    seen.add(configuration.id);
    return configuration;
  });
}

/** Checks a parsed scenario document; throws one `lab_scenario_invalid` naming the file and the JSON path. */
export function checkScenario(document: unknown, file: string): LoadedScenario {
  if (!validateShape(document)) {
    const error = firstError(validateShape.errors ?? []);
    throw invalid(file, error.path, error.message);
  }
  const scenario = document as Scenario;
  for (const { path, distribution } of distributions(scenario, '')) {
    const problem = distributionProblem(distribution);
    if (problem) throw invalid(file, path, problem);
  }
  if (Number.isNaN(new Date(scenario.timeline.start).getTime())) throw invalid(file, '/timeline/start', 'is not a date and time');
  const unique = (path: string, keys: string[], what: string) => {
    const seen = new Set<string>();
    keys.forEach((key, index) => {
      if (seen.has(key)) throw invalid(file, `${path}/${index}`, `${what} "${key}" appears twice`);
      seen.add(key);
    });
    return seen;
  };
  const operatorKeys = unique('/operators', scenario.operators.map((operator) => operator.key), 'operator');
  const cohortIds = unique('/cohorts', scenario.cohorts.map((cohort) => cohort.id), 'cohort');
  unique('/attackers', scenario.attackers.map((attacker) => attacker.id), 'attacker');

  scenario.cohorts.forEach((cohort, index) => {
    const path = `/cohorts/${index}`;
    const [age_min, age_max] = distributionRange(cohort.age_years);
    if (age_min < AGE_YEARS_RANGE[0] || age_max > AGE_YEARS_RANGE[1]) throw invalid(file, `${path}/age_years`, `ages must stay within ${AGE_YEARS_RANGE[0]} to ${AGE_YEARS_RANGE[1]}`);
    if (distributionRange(cohort.balance_yen)[0] < 0) throw invalid(file, `${path}/balance_yen`, 'a balance cannot be negative');
    if (cohort.idle_days !== undefined && distributionRange(cohort.idle_days)[0] < 0) throw invalid(file, `${path}/idle_days`, 'idle days cannot be negative');
    if (cohort.pins && cohort.pins.common_share + (cohort.pins.birth_month_day_share ?? 0) > 1) throw invalid(file, `${path}/pins`, 'the shares add up to more than 1');
    cohort.behaviours.forEach((behaviour, b) => checkBehaviour(file, `${path}/behaviours/${b}`, behaviour, 'customer', operatorKeys));
  });

  scenario.attackers.forEach((attacker, index) => {
    const path = `/attackers/${index}`;
    const held = new Set<Holding>();
    attacker.holds.forEach((holding, h) => {
      if ('of' in holding && !cohortIds.has(holding.of)) throw invalid(file, `${path}/holds/${h}/of`, `no cohort "${holding.of}"`);
      if ('operator' in holding && !operatorKeys.has(holding.operator)) throw invalid(file, `${path}/holds/${h}/operator`, `no operator "${holding.operator}"`);
      for (const what of holding.what) held.add(what);
    });
    attacker.plays.forEach((play, p) => {
      checkBehaviour(file, `${path}/plays/${p}`, play, 'attacker', operatorKeys);
      const missing = capabilityById(play.capability)!.needs.filter((need) => !held.has(need));
      if (missing.length > 0) throw invalid(file, `${path}/plays/${p}/capability`, `"${play.capability}" needs ${missing.join(', ')}, which attacker "${attacker.id}" does not hold`);
    });
  });
  return { scenario, configurations: resolveConfigurations(file, scenario), file };
}

/** Parses JSON or YAML by the file's extension; a syntax error names the file and where. */
export function parseScenarioText(text: string, file: string): unknown {
  const extension = extname(file).toLowerCase();
  if (extension === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw invalid(file, '/', `not valid JSON: ${(error as Error).message}`);
    }
  }
  if (extension === '.yaml' || extension === '.yml') {
    const document = parseDocument(text, { prettyErrors: true });
    const [error] = document.errors;
    if (error) throw invalid(file, '/', `not valid YAML: ${error.message.split('\n')[0]}`);
    return document.toJS() as unknown;
  }
  throw invalid(file, '/', 'a scenario file ends in .json, .yaml or .yml');
}

/** Reads, parses and checks a scenario file. */
export async function loadScenarioFile(file: string): Promise<LoadedScenario> {
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.length > SCENARIO_FILE_BYTES_MAX) throw invalid(file, '/', `larger than ${SCENARIO_FILE_BYTES_MAX} bytes`);
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof FurikaeError) throw error;
    throw invalid(file, '/', `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return checkScenario(parseScenarioText(text, file), file);
}
