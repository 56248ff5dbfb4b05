import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { stringify } from 'yaml';
import { FurikaeError } from '../errors/furikae-error.ts';
import { checkScenario, loadScenarioFile, parseScenarioText } from './load-scenario.ts';
import type { NewLinkSpendingConfig } from '../risk/rules/new-link-spending.ts';
import { loadShippedScenarios, SHIPPED_SCENARIOS_DIR } from './run-lab.ts';
import { labCapabilities } from './lab-capabilities.ts';
import { scenarioJsonSchema } from './scenario-schema.ts';
import { labRunCommand } from '../cli/lab-run-command.ts';

/** A small valid scenario; each test breaks one thing. */
function scenario(): Record<string, any> {
  return {
    id: 'mini', title: 'Mini', sources: ['a test'], seed: 1,
    timeline: { start: '2020-08-01T00:00:00+09:00', days: 10 },
    configurations: ['2020', 'hardened'],
    operators: [{ key: 'docomo', display_name: 'ドコモ口座', passbook_label: 'ドコモ口座' }],
    cohorts: [
      { id: 'typical', group: 'typical', customers: 3, age_years: 40, balance_yen: 100000, behaviours: [
        { capability: 'link-account', operator: 'docomo' },
        { capability: 'top-up', operator: 'docomo', per_month: 2, amount_yen: 3000 },
      ] },
      { id: 'leaked', customers: 2, age_years: 70, balance_yen: 300000, behaviours: [] },
    ],
    attackers: [{ id: 'ring', holds: [{ of: 'leaked', what: ['account_number', 'pin', 'name_and_birth_date'] }], plays: [
      { capability: 'link-with-leaked-pin', operators: ['docomo'], per_day: 1 },
      { capability: 'drain-link' },
    ] }],
  };
}

/** The one message a bad scenario gets: the code, the file and the JSON path. */
function refusal(document: unknown, file = 'my.json'): { path: string; message: string } {
  try {
    checkScenario(document, file);
  } catch (error) {
    assert.ok(error instanceof FurikaeError, `a FurikaeError, got ${String(error)}`);
    assert.equal(error.code, 'lab_scenario_invalid');
    assert.ok(error.message.startsWith(`${file}: `), `the message names the file: ${error.message}`);
    return { path: String(error.details?.path), message: error.message };
  }
  assert.fail('the scenario was accepted');
}

describe('scenario files', () => {
  test('the small scenario the other tests break is itself valid', () => {
    const loaded = checkScenario(scenario(), 'mini.json');
    assert.deepEqual(loaded.configurations.map((c) => c.id), ['2020', 'hardened']);
  });

  test('every shipped scenario passes the checks, names its sources in its header and compares 2020 (or a configuration based on it) with hardened first', async () => {
    const shipped = await loadShippedScenarios();
    assert.deepEqual(shipped.map((loaded) => loaded.scenario.id).sort(),
      ['docomo-2020', 'honest-population', 'japan-post-2017-2020', 'leaked-operator-database', 'patient-low-value', 'pin-reverse-brute-force', 'pin-spray-behind-operator',
        'relayed-code', 'relayed-code-small-sums', 'sim-swap', 'sim-swap-patient']);
    for (const loaded of shipped) {
      assert.ok(loaded.scenario.sources.length >= 1, `${loaded.scenario.id} lists sources`);
      const text = await readFile(loaded.file, 'utf8');
      assert.match(text.split('\nid:')[0]!, /Sources/, `${loaded.scenario.id}'s header names its sources`);
      // A scenario may add configurations of its own after the two every report compares. The first is the 2020 bank, or
      // one based on it where the attack needs a path 2020 did not have (SMS codes at the bank's pages for a SIM swap).
      assert.deepEqual(loaded.configurations.slice(0, 2).map((c) => c.based_on), ['2020', 'hardened'], loaded.scenario.id);
      assert.equal(loaded.configurations[1]!.id, 'hardened', loaded.scenario.id);
    }
  });

  test('the shipped lab/scenario.schema.json is the one the code generates, and every shipped scenario validates against it', async () => {
    const shipped = JSON.parse(await readFile(join(SHIPPED_SCENARIOS_DIR, '..', 'scenario.schema.json'), 'utf8'));
    assert.deepEqual(shipped, scenarioJsonSchema(labCapabilities), 'regenerate with: npm run furikae -- lab schema > lab/scenario.schema.json');
    // A plain draft-07 validator, as an editor uses: not the loader's own.
    const ajv = new Ajv({ strict: false, allErrors: true });
    (ajvFormats.default as unknown as (a: Ajv) => void)(ajv);
    const validate = ajv.compile(shipped);
    for (const loaded of await loadShippedScenarios()) assert.ok(validate(loaded.scenario), `${loaded.scenario.id}: ${JSON.stringify(validate.errors)}`);
    // The shipped schema checks a capability's parameters too, for editors.
    const broken = scenario();
    broken.cohorts[0].behaviours[1].per_month = 'often';
    assert.equal(validate(broken), false);
  });

  test('a file that fails the schema gets one message with the JSON path', () => {
    const document = scenario();
    document.operators[0].charge_yen_max = 'lots';
    const { path, message } = refusal(document);
    assert.equal(path, '/operators/0/charge_yen_max');
    assert.match(message, /my\.json: \/operators\/0\/charge_yen_max: must be integer/);
    const extra = scenario();
    extra.cohorts[0].colour = 'blue';
    assert.match(refusal(extra).message, /\/cohorts\/0: has no field "colour"/);
    const missing = scenario();
    delete missing.timeline.start;
    assert.equal(refusal(missing).path, '/timeline/start');
  });

  test('an unknown capability is named at its path, with what that kind of actor can do', () => {
    const document = scenario();
    document.attackers[0].plays[0].capability = 'sim-swap';
    const { path, message } = refusal(document);
    assert.equal(path, '/attackers/0/plays/0/capability');
    assert.match(message, /unknown capability "sim-swap"; attackers can: link-with-leaked-pin, link-through-consent/);
    const customer = scenario();
    customer.cohorts[0].behaviours[0].capability = 'drain-link';
    assert.match(refusal(customer).message, /\/cohorts\/0\/behaviours\/0\/capability: "drain-link" is an attacker capability, not a customer's/);
  });

  test("a capability's own parameters are checked at their path", () => {
    const document = scenario();
    document.cohorts[0].behaviours[1].amount_yen = { lognormal: { median: 5000, p90: 1000 } };
    assert.match(refusal(document).message, /\/cohorts\/0\/behaviours\/1\/amount_yen: lognormal: p90 is below the median/);
    const unknownField = scenario();
    unknownField.attackers[0].plays[0].speed = 'fast';
    assert.match(refusal(unknownField).message, /\/attackers\/0\/plays\/0: has no field "speed"/);
  });

  test('a negative population is refused at its path; zero customers is a valid cohort', () => {
    const document = scenario();
    document.cohorts[1].customers = -5;
    const { path, message } = refusal(document);
    assert.equal(path, '/cohorts/1/customers');
    assert.match(message, /a population cannot be negative/);
    const empty = scenario();
    empty.cohorts[1].customers = 0;
    assert.doesNotThrow(() => checkScenario(empty, 'my.json'));
  });

  test('a timeline of more than 20 years is refused; exactly 20 years (7,305 days) is accepted', () => {
    const document = scenario();
    document.timeline.days = 7305;
    assert.doesNotThrow(() => checkScenario(document, 'my.json'));
    document.timeline.days = 7305.5;
    const { path, message } = refusal(document);
    assert.equal(path, '/timeline/days');
    assert.match(message, /a timeline is at most 20 years/);
    document.timeline.days = 0;
    assert.equal(refusal(document).path, '/timeline/days');
  });

  test('an attacker without the holdings a capability needs, an unknown cohort or operator, a negative balance: each refused at its path', () => {
    const holdings = scenario();
    holdings.attackers[0].holds[0].what = ['account_number', 'name_and_birth_date'];
    assert.match(refusal(holdings).message, /\/attackers\/0\/plays\/0\/capability: "link-with-leaked-pin" needs pin, which attacker "ring" does not hold/);
    const cohort = scenario();
    cohort.attackers[0].holds[0].of = 'nobody';
    assert.equal(refusal(cohort).path, '/attackers/0/holds/0/of');
    const operator = scenario();
    operator.cohorts[0].behaviours[0].operator = 'paypay';
    assert.match(refusal(operator).message, /\/cohorts\/0\/behaviours\/0: names operator "paypay", which the scenario does not list/);
    const balance = scenario();
    balance.cohorts[0].balance_yen = { uniform: [-100, 1000] };
    assert.match(refusal(balance).message, /\/cohorts\/0\/balance_yen: a balance cannot be negative/);
  });

  test('an unknown configuration and a custom one with a broken risk config are refused before anything runs', () => {
    const unknown = scenario();
    unknown.configurations = ['2020', 'fortress'];
    assert.match(refusal(unknown).message, /\/configurations\/1: unknown configuration "fortress"/);
    const broken = scenario();
    broken.configurations = ['hardened', { id: 'strict', based_on: 'hardened', risk_config: { id: 'strict@1', rules: { 'no-such-rule@1': {} }, typologies: [] } }];
    assert.match(refusal(broken).message, /\/configurations\/1\/risk_config: .*no-such-rule@1/);
    const custom = scenario();
    custom.configurations = ['hardened', { id: 'observe', based_on: 'hardened', risk_mode: 'observe' }];
    assert.equal(checkScenario(custom, 'my.json').configurations[1]!.risk.mode, 'observe');
  });

  test('new_link_unconfirmed_yen_max turns the new-link limit on at that sum; zero or a fraction is refused at its path', () => {
    const limited = scenario();
    limited.configurations = ['hardened', { id: 'limited', based_on: 'hardened', new_link_unconfirmed_yen_max: 20_000 }];
    const [plain, withLimit] = checkScenario(limited, 'my.json').configurations;
    assert.equal(plain!.risk.config.id, 'furikae-default@6');
    assert.equal(withLimit!.risk.config.id, 'furikae-default-new-link-limit@6');
    assert.deepEqual((withLimit!.risk.config.rules['new-link-spending@1'] as NewLinkSpendingConfig).unconfirmed_yen_bands[1], { lower: 20_001, upper: null, outcome: 'alert', reason: 'new_link_spending_unconfirmed' });
    for (const bad of [0, 1.5]) {
      const refused = scenario();
      refused.configurations = ['hardened', { id: 'limited', based_on: 'hardened', new_link_unconfirmed_yen_max: bad }];
      assert.match(refusal(refused).message, /\/configurations\/1\/new_link_unconfirmed_yen_max/);
    }
  });

  test('JSON and YAML syntax errors name the file; another extension is refused', () => {
    assert.throws(() => parseScenarioText('{ "id": ', 'bad.json'), /bad\.json: \/: not valid JSON/);
    assert.throws(() => parseScenarioText('id: [unclosed', 'bad.yaml'), /bad\.yaml: \/: not valid YAML/);
    assert.throws(() => parseScenarioText('id = 1', 'bad.toml'), /bad\.toml: \/: a scenario file ends in \.json, \.yaml or \.yml/);
    assert.deepEqual(parseScenarioText(stringify(scenario()), 'ok.yml'), scenario());
  });

  test('furikae lab run --scenario with a bad file prints the one message, exits 1 and runs nothing', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'furikae-lab-'));
    const file = join(folder, 'my.yaml');
    const document = scenario();
    document.cohorts[0].customers = -1;
    await writeFile(file, stringify(document));
    const out = join(folder, 'report');
    const errors: string[] = [];
    const original = console.error;
    console.error = (message: string) => errors.push(message);
    try {
      assert.equal(await labRunCommand(['--scenario', file, '--out', out], { database_url: undefined, lab_report_dir: out }), 1);
    } finally {
      console.error = original;
    }
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, new RegExp(`${file.replaceAll('/', '\\/')}: /cohorts/0/customers: a population cannot be negative\\nNothing was run\\.`));
    assert.equal(existsSync(out), false, 'no report was written');
    await assert.rejects(loadScenarioFile(join(folder, 'missing.json')), /missing\.json: \/: cannot be read: ENOENT/);
  });
});
