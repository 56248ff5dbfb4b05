import { generate as totpGenerate } from 'otplib';
import { createSimulatedSimSwapApi } from '../telecom/simulated-sim-swap-api.ts';
import type { SimSwapApi } from '../telecom/sim-swap-api.ts';
import type { RiskMode } from '../risk/risk-config.ts';
import type { Database } from '../storage/database.ts';
import { migrate } from '../storage/migrate.ts';
import { bankMigrationSets } from '../bank-migration-sets.ts';
import { createBankApp } from '../bank-app.ts';
import type { HttpRateLimits } from '../throttle/http-rate-limits.ts';
import { ManualClock } from '../shared/clock.ts';
import { createIds } from '../shared/ids.ts';
import { createLogger } from '../shared/logger.ts';
import { assert } from '../shared/assert.ts';
import { TOTP_PERIOD_SECONDS } from '../mfa/totp-code.ts';
import { NOTICE_BATCH_MAX } from '../notify/notification-dispatcher.ts';
import { seededRandom } from './seeded-random.ts';
import { createLabPhones } from './lab-phones.ts';
import { createLabMailboxes } from './lab-mailboxes.ts';
import { createLabOperator, type LabOperator } from './lab-operator.ts';
import { createLabBrowser, type LabBrowser } from './lab-browser.ts';
import { createInjectFetch } from './inject-fetch.ts';
import { openPopulation } from './lab-population.ts';
import { createLabEngine } from './lab-engine.ts';
import { capabilityById } from './lab-capabilities.ts';
import { createBankObserver } from './bank-observer.ts';
import { measureRun, type ChargeFinal, type RunMeasures } from './lab-measures.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, daysAfter } from './lab-time.ts';
import { roleOf, type Happening, type LabRecord, type LabWorld } from './lab-world.ts';
import type { CapabilityUse, LabCapability } from './lab-capability.ts';
import type { LabActor, LabAttacker, LabCustomer } from './lab-actor.ts';
import type { LabConfiguration } from './lab-configurations.ts';
import type { Holding } from './holdings.ts';
import type { Scenario } from './scenario-schema.ts';
import { TIMELINE_DAYS_MAX } from './scenario-schema.ts';

/** An hour of real time for a pushed request and its code in the lab (see createBankApp below): longer than any step. */
const LAB_AUTHORIZATION_REQUEST_TTL_SECONDS = 3600;

/** HTTP limits no lab move reaches (see createBankApp below). */
const LAB_HTTP_RATE_LIMITS: HttpRateLimits = { credential_posts_per_window_max: Number.MAX_SAFE_INTEGER, api_per_window_max: Number.MAX_SAFE_INTEGER, pages_per_window_max: Number.MAX_SAFE_INTEGER };

/** Where the lab's bank says it lives: its pages and redirects name this origin; requests reach it through inject. */
export const LAB_BANK_ORIGIN = 'http://bank.lab';
/** The lab bank's keys: fixed, so a run is reproducible, and useless anywhere else. */
const LAB_CREDENTIAL_KEY = 'furikae-lab-credential-fingerprint-key-0123456789';
const LAB_NOT_ME_KEY = 'furikae-lab-not-me-link-signing-key-0123456789abc';
/** The staff audit chain's HMAC key in the lab's throwaway bank (no anchor file: the database is thrown away after the run). */
const LAB_AUDIT_KEY = 'furikae-lab-staff-audit-chain-key-0123456789abcdef';
/** Security texts that tell a customer someone was guessing: the lab counts them for the report. */
const LOCK_NOTICES = new Set(['second_factor_locked', 'credential_locked']);
/** The bank of a configuration that does not ask the carrier (2020 had no SIM Swap API): to it, no SIM ever changed. */
const CARRIER_NOT_ASKED: SimSwapApi = {
  check: async () => ({ swapped: false }),
  retrieveDate: async () => ({ latest_sim_change: null }),
};
/** The default step resolution: an hour, fine enough for link-then-drain, coarse enough for years of top-ups. */
export const RESOLUTION_MINUTES_DEFAULT = 60;
/** The default share of each cohort --quick keeps. */
export const QUICK_SCALE_DEFAULT = 0.1;

/** What a run needs besides the scenario: the configuration, the seed, the scale, and a fresh database. */
export interface RunScenarioOptions {
  configuration: LabConfiguration;
  seed: number;
  /** Share of each cohort opened (1 = full size). */
  scale: number;
  /** A new, empty database for this run; it is migrated here and closed at the end. */
  open_database(): Promise<Database>;
  progress?(event: { phase: 'opening' | 'running' | 'measuring'; fraction: number }): void;
}

/** One scenario × configuration: what was measured, and how the run went. */
export interface RunResult {
  scenario: string;
  configuration: string;
  /** Whether the configuration's risk rules acted (`enforce`) or only recorded what they would have done (`observe`). */
  risk_mode: RiskMode;
  seed: number;
  scale: number;
  timeline: { start: string; end: string; days: number; resolution_minutes: number };
  population: { customers: number; victims_held: number; by_cohort: Record<string, number> };
  engine: { steps: number; moves: number };
  /** Moves that failed with an answer no capability expects: each is a finding about the bank (or the lab). */
  failures: { at: string; actor: string; message: string }[];
  failures_count: number;
  measures: RunMeasures;
}

/** Failures a result keeps in full; the count says how many there were. */
const FAILURES_KEPT_MAX = 20;

/** A failed move in one line: an OAuth error's code and description, or the error's message. */
function describeFailure(error: unknown): string {
  const oauth = error as { error?: unknown; error_description?: unknown; status?: unknown };
  if (typeof oauth.error === 'string') return `${oauth.error}${oauth.error_description ? `: ${String(oauth.error_description)}` : ''}${oauth.status ? ` (HTTP ${String(oauth.status)})` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

/** Customers of a cohort at this scale: at least one if the cohort has any. */
export function scaled(customers: number, scale: number): number {
  return customers === 0 ? 0 : Math.max(1, Math.round(customers * scale));
}

/**
 * Runs one scenario against one configuration: a fresh bank on a fresh database with its clock at the scenario's
 * start, the scenario's operators registered under the configuration's policy, the population opened, and every
 * actor's capabilities played through the bank's HTTP entry points until the timeline ends. Then the measures.
 */
export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<RunResult> {
  const { configuration, seed, scale } = options;
  const start = new Date(scenario.timeline.start);
  const end = daysAfter(start, scenario.timeline.days);
  const resolution_minutes = scenario.timeline.resolution_minutes ?? RESOLUTION_MINUTES_DEFAULT;
  const random = seededRandom(seed, scenario.id);
  const db = await options.open_database();
  try {
    await migrate(db, bankMigrationSets);
    // Accounts open up to 20 years before the start (a dormant cohort's idle days), and the clock only moves forward.
    const clock = new ManualClock(new Date(start.getTime() - (TIMELINE_DAYS_MAX + 1) * DAY_MS));
    const phones = createLabPhones({ clock });
    const mailboxes = createLabMailboxes({ clock });
    // The carrier, which knows of every swap a lab thief makes; the bank asks it only where the configuration says so.
    const carrier = createSimulatedSimSwapApi({ clock });
    const simSwap = configuration.asks_carrier_about_sim_swaps ? carrier : CARRIER_NOT_ASKED;
    const bank = await createBankApp({
      db, clock, ids: createIds(clock), log: createLogger({ level: process.env.FURIKAE_LAB_LOG ?? 'silent' }),
      credential_fingerprint_key: LAB_CREDENTIAL_KEY, audit_key: LAB_AUDIT_KEY, not_me_key: LAB_NOT_ME_KEY, sms: phones, simSwap, mail: mailboxes,
      public_url: LAB_BANK_ORIGIN, risk: configuration.risk, notice_polling: false, waiting_charge_jobs: false,
      // Consent reminders would fire on a wall-clock timer at whatever simulated day it happened to be, so the same seed
      // would not give the same mailboxes; the lab's customers do not act on reminders yet.
      consent_reminders: false,
      reverse_brute_force_containment: configuration.reverse_brute_force_containment,
      // The per-address HTTP limits count wall-clock minutes, which mean nothing on the lab's simulated clock (years
      // pass in seconds): out of reach here. The credential throttle, on the bank's clock, is the defence measured.
      rate_limits: LAB_HTTP_RATE_LIMITS,
      // A pushed request and its code live 60 s of real time; in one step of a loaded machine thousands of customers
      // link one after another, and the last ones' codes expired before they were redeemed (invalid_grant), so the
      // honest friction depended on the machine's load. Their life on the simulated clock is still instant.
      authorization_request_ttl_seconds: LAB_AUTHORIZATION_REQUEST_TTL_SECONDS,
      new_link_code_cooling_off_ms: configuration.new_link_code_cooling_off_hours * HOUR_MS,
    });
    try {
      // Waiting charges expire in the bank's background job, which the lab runs when one it saw answered is due
      // (one approved or declined meanwhile just makes a pass that finds nothing).
      let waitingDue: number[] = [];
      const onWaiting = (expires_at: Date) => {
        waitingDue.push(expires_at.getTime());
      };
      const operators = new Map<string, LabOperator>();
      for (const [index, spec] of scenario.operators.entries()) {
        operators.set(spec.key, await createLabOperator({ app: bank.app, operators: bank.services.operators, bank_url: LAB_BANK_ORIGIN, clock, onWaiting }, spec, configuration.operator_policy, `198.51.100.${10 + index}`));
      }
      const browserAt = (ip: string): LabBrowser => createLabBrowser({ fetch: createInjectFetch(bank.app, { remoteAddress: ip }), origin: LAB_BANK_ORIGIN });
      const totpCode = (secret: string) => totpGenerate({ secret, period: TOTP_PERIOD_SECONDS, epoch: Math.floor(clock.now().getTime() / 1000) });

      const cohorts = scenario.cohorts.map((spec) => ({ spec, customers: scaled(spec.customers, scale) }));
      const customers = await openPopulation({ core: bank.services.core, clock, phones, browser: browserAt, totpCode, start, random: random.stream('population') }, cohorts,
        (done, total) => options.progress?.({ phase: 'opening', fraction: done / total }));
      // Opening ends before the timeline starts; the oldest accounts were opened years before it.
      if (clock.now().getTime() < start.getTime()) clock.set(start);
      const byCohort = new Map<string, LabCustomer[]>();
      for (const customer of customers) byCohort.set(customer.cohort, [...(byCohort.get(customer.cohort) ?? []), customer]);

      const attackers: LabAttacker[] = scenario.attackers.map((spec, index) => {
        const attackerRandom = random.stream(`attacker:${spec.id}`);
        const holds = new Map<LabCustomer, Set<Holding>>();
        for (const holding of spec.holds) {
          if (!('of' in holding)) continue;
          const cohort = byCohort.get(holding.of) ?? [];
          const count = Math.round(cohort.length * (holding.share ?? 1));
          for (const customer of attackerRandom.shuffle(cohort).slice(0, count)) {
            const set = holds.get(customer) ?? new Set<Holding>();
            for (const what of holding.what) set.add(what);
            holds.set(customer, set);
          }
        }
        return {
          kind: 'attacker', key: `attacker:${spec.id}`, random: attackerRandom, ip: `203.0.113.${10 + index}`, links: [],
          targets: [...holds.entries()].map(([customer, set]) => ({ customer, holds: set })).sort((a, b) => a.customer.key.localeCompare(b.customer.key)),
          operator_keys: spec.holds.flatMap((holding) => ('operator' in holding ? [holding.operator] : [])),
        };
      });

      const records: LabRecord[] = [];
      const failures: RunResult['failures'] = [];
      let failures_count = 0;
      const uses = new Map<string, { capability: LabCapability; use: CapabilityUse<unknown, LabActor> }[]>();
      const browsers = new Map<string, LabBrowser>();
      const keys = new Map<string, number>();
      const engine = createLabEngine({
        clock, resolution_ms: resolution_minutes * MINUTE_MS, end,
        afterStep: () => afterStep(),
        progress: (now) => options.progress?.({ phase: 'running', fraction: Math.min(1, (now.getTime() - start.getTime()) / (end.getTime() - start.getTime())) }),
      });
      // Messages reach their readers after each step: the phone's owner, or, once their SIM was swapped, the thief alone.
      const byEmail = new Map(customers.map((customer) => [customer.person.email, customer]));
      const byPhone = new Map<string, LabActor>(customers.map((customer) => [customer.person.phone, customer]));
      const world: LabWorld = {
        start, end, bank_origin: LAB_BANK_ORIGIN, phones,
        changeSim(customer, holder) {
          carrier.swapSim(customer.person.phone);
          byPhone.set(customer.person.phone, holder);
        },
        now: () => clock.now(),
        at: (actor, when, move, at_options) => engine.at(actor.key, when, async () => {
          // A move the bank answered with something no capability expects (a 500, an OAuth error) is a finding, not a crash:
          // it is kept for the report and that actor's plan ends there.
          try {
            await move();
          } catch (error) {
            failures_count++;
            if (failures.length < FAILURES_KEPT_MAX) failures.push({ at: clock.now().toISOString(), actor: actor.key, message: describeFailure(error) });
          }
        }, at_options),
        operator(key) {
          const operator = operators.get(key);
          assert(operator, `operator ${key} is in the scenario (checked when it was loaded)`);
          return operator;
        },
        linksHeldBy: (operator_key) => customers.flatMap((customer) => {
          const link = customer.links.get(operator_key);
          return link ? [{ customer, link }] : [];
        }),
        browser(customer) {
          let browser = browsers.get(customer.key);
          if (!browser) browsers.set(customer.key, (browser = browserAt(customer.ip)));
          return browser;
        },
        newBrowser: browserAt,
        record: (actor, entry) => records.push({ ...entry, ...roleOf(actor), at: clock.now(), actor_key: actor.key } as LabRecord),
        tell(actor, happening) {
          for (const { capability, use } of uses.get(actor.key) ?? []) capability.react?.(use as never, happening);
        },
        async withdraw(customer, amount_yen) {
          return (await bank.services.core.withdraw(customer.account_id, amount_yen, 'ATM')).ok;
        },
        totpCode: (customer) => totpCode(customer.totp_secret ?? ''),
        idempotencyKey(actor) {
          const n = (keys.get(actor.key) ?? 0) + 1;
          keys.set(actor.key, n);
          return `${actor.key}/${n}`;
        },
      };

      let pendingTells: [LabActor, Happening][] = [];
      async function afterStep(): Promise<void> {
        const now = clock.now().getTime();
        if (waitingDue.some((due) => due <= now)) {
          await bank.services.stepUp.expireDue();
          waitingDue = waitingDue.filter((due) => due > now);
        }
        while ((await bank.notices.dispatchOnce()).claimed >= NOTICE_BATCH_MAX);
        for (const mail of mailboxes.takeNew()) {
          const reader = byEmail.get(mail.to);
          if (reader) pendingTells.push([reader, { kind: 'email', mail }]);
        }
        for (const sms of phones.takeNew()) {
          const reader = byPhone.get(sms.to_phone);
          if (!reader) continue;
          if (LOCK_NOTICES.has(sms.purpose) && reader.kind === 'customer') world.record(reader, { what: 'told', purpose: sms.purpose });
          pendingTells.push([reader, { kind: 'sms', sms }]);
        }
        const tells = pendingTells;
        pendingTells = [];
        for (const [actor, happening] of tells) world.tell(actor, happening);
      }

      const actors: LabActor[] = [...customers, ...attackers];
      for (const actor of actors) {
        const behaviours = actor.kind === 'customer'
          ? scenario.cohorts.find((cohort) => cohort.id === actor.cohort)!.behaviours
          : scenario.attackers.find((spec) => `attacker:${spec.id}` === actor.key)!.plays;
        uses.set(actor.key, behaviours.map(({ capability: id, ...params }, index) => {
          const capability = capabilityById(id)!;
          return { capability, use: { actor, params, world, random: actor.random.stream(`${id}#${index}`), memory: new Map() } };
        }));
      }
      for (const actor of actors) for (const { capability, use } of uses.get(actor.key)!) capability.start(use as never);

      const { steps, moves } = await engine.run();
      if (clock.now().getTime() < end.getTime()) clock.set(end);
      await afterStep();

      options.progress?.({ phase: 'measuring', fraction: 0 });
      // What became of every charge that did not simply succeed or fail, as the operator's API shows it now.
      const finals = new Map<string, ChargeFinal>();
      for (const record of records) {
        if (record.what !== 'charge' || !record.charge_id || (record.role === 'honest' && record.outcome === 'succeeded')) continue;
        const charge = await operators.get(record.operator_key)!.readCharge(record.charge_id);
        finals.set(record.charge_id, { status: charge.status, refunded_yen: charge.refunded_yen });
      }
      const observer = createBankObserver(db);
      const victimIds = [...new Set(attackers.flatMap((attacker) => attacker.targets.map((target) => target.customer.customer_id)))];
      const measures = measureRun({ records, finals, decisions: await observer.decisions(victimIds), alerts: await observer.alerts(), customers,
        operator_ids: new Map([...operators.values()].map((operator) => [operator.key, operator.operator.id])), start, end });
      return {
        scenario: scenario.id, configuration: configuration.id, risk_mode: configuration.risk.mode, seed, scale,
        timeline: { start: start.toISOString(), end: end.toISOString(), days: scenario.timeline.days, resolution_minutes },
        population: { customers: customers.length, victims_held: victimIds.length, by_cohort: Object.fromEntries(cohorts.map((cohort) => [cohort.spec.id, cohort.customers])) },
        engine: { steps, moves },
        failures,
        failures_count,
        measures,
      };
    } finally {
      await bank.close();
    }
  } finally {
    await db.close();
  }
}
