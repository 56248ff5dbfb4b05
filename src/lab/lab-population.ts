import type { BankCore } from '../bank/bank-core.ts';
import { NEW_FACTOR_COOLING_OFF_MS } from '../mfa/factor-policy.ts';
import type { ManualClock } from '../shared/clock.ts';
import { assert } from '../shared/assert.ts';
import { JST_OFFSET_MS } from '../shared/japan-time.ts';
import { sample } from './distribution.ts';
import { DAY_MS } from './lab-time.ts';
import { randomName } from './lab-names.ts';
import type { SeededRandom } from './seeded-random.ts';
import type { LabCustomer, LabPerson } from './lab-actor.ts';
import type { CohortSpec } from './scenario-schema.ts';
import type { LabBrowser } from './lab-browser.ts';
import type { LabPhones } from './lab-phones.ts';
import { formValue } from './lab-browser.ts';

/**
 * Customers opened side by side. Opening costs two scrypt hashes (password and PIN) and an authenticator three more
 * (the login and the SMS code that confirms it), so the machine's cores, not the database, set the pace; a few more
 * than the libuv thread pool keeps it busy.
 */
export const OPEN_CONCURRENCY = 8;
/** A new account's idle days when the cohort does not say: recently opened or recently used. */
const IDLE_DAYS_DEFAULT = { uniform: [0, 30] as [number, number] };
/** The mean length of a year, for ages. */
const YEAR_MS = 365.2425 * DAY_MS;

/** What opening the population needs from the run. */
export interface PopulationDeps {
  core: BankCore;
  clock: ManualClock;
  phones: LabPhones;
  /** A browser for the customer at the bank's pages (their own cookies). */
  browser(ip: string): LabBrowser;
  totpCode(secret: string): Promise<string>;
  start: Date;
  random: SeededRandom;
}

/** A cohort with the number of customers this run opens (after --quick's scale). */
export interface CohortToOpen {
  spec: CohortSpec;
  customers: number;
}

function japanDay(instant: Date): string {
  return new Date(instant.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}

function pinFor(spec: CohortSpec, random: SeededRandom, birth_date: string): string {
  const pins = spec.pins;
  const roll = random.next();
  if (pins && roll < pins.common_share) return random.pick(pins.common);
  if (pins?.birth_month_day_share && roll < pins.common_share + pins.birth_month_day_share) return birth_date.slice(5).replace('-', '');
  let pin: string;
  do pin = String(random.integer(0, 9999)).padStart(4, '0');
  while (pins?.common.includes(pin));
  return pin;
}

/** Registers an authenticator app the way a customer does: log in, start at the security page, confirm with the app and an SMS code. */
async function enrolAuthenticator(deps: PopulationDeps, browser: LabBrowser, person: LabPerson): Promise<string> {
  const login_page = await (await browser.follow('/bank/login')).response.text();
  const login = await browser.post('/bank/login', { csrf: formValue(login_page, 'csrf') ?? '', login_id: person.login_id, password: person.password });
  assert(login.status === 302 || login.status === 303, `lab customer ${person.login_id} logs in to enrol (got ${login.status})`);
  const page = await (await browser.follow('/bank/security')).response.text();
  const csrf = formValue(page, 'csrf') ?? '';
  await browser.post('/bank/security/totp/start', { csrf });
  const pending = await (await browser.follow('/bank/security')).response.text();
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(pending)?.[1];
  assert(secret, `the security page shows ${person.login_id} a key to register`);
  const confirmed = await browser.post('/bank/security/totp/confirm', {
    csrf, totp_code: await deps.totpCode(secret), sms_code: deps.phones.lastCode(person.phone, { purpose: 'enrol_totp' }) ?? '',
  });
  assert(confirmed.status === 303, `${person.login_id}'s authenticator is registered (got ${confirmed.status})`);
  return secret;
}

/**
 * Opens every cohort's customers at the bank's counter (the bank core: there is no API for opening accounts), each
 * at the time that gives them their idle days at the start, with their opening balance; customers with an
 * authenticator app register it on the bank's security page. Returns them in a stable order.
 */
export async function openPopulation(deps: PopulationDeps, cohorts: readonly CohortToOpen[], progress?: (opened: number, total: number) => void): Promise<LabCustomer[]> {
  let serial = 0;
  const planned = cohorts.flatMap(({ spec, customers }, cohortIndex) => Array.from({ length: customers }, (_, index) => {
    const n = ++serial;
    const key = `${spec.id}#${index}`;
    const random = deps.random.stream(key);
    const age_years = sample(spec.age_years, random);
    const birth_date = japanDay(new Date(deps.start.getTime() - age_years * YEAR_MS));
    const person: LabPerson = {
      ...randomName(random),
      birth_date,
      phone: `090-${String(Math.floor(n / 10_000)).padStart(4, '0')}-${String(n % 10_000).padStart(4, '0')}`,
      email: `c${n}@customers.lab`,
      login_id: `c${n}`,
      password: `pw-${random.integer(0, 2 ** 31).toString(36)}-${random.integer(0, 2 ** 31).toString(36)}`,
      branch_code: String(100 + cohortIndex).slice(-3),
      account_number: String(1_000_000 + n),
      pin: '',
    };
    person.pin = pinFor(spec, random, birth_date);
    const idle_days = Math.max(0, sample(spec.idle_days ?? IDLE_DAYS_DEFAULT, random));
    return {
      key, spec, person, random, n,
      opened_at: new Date(deps.start.getTime() - idle_days * DAY_MS),
      balance_yen: Math.max(0, Math.round(sample(spec.balance_yen, random))),
      authenticator: random.chance(spec.authenticator_share ?? 0),
    };
  }));
  // Time only moves forward: open the oldest accounts first, a day's worth at a time.
  planned.sort((a, b) => a.opened_at.getTime() - b.opened_at.getTime() || a.n - b.n);
  const customers = new Map<string, LabCustomer>();
  let done = 0;
  for (let index = 0; index < planned.length;) {
    const day = Math.floor(planned[index]!.opened_at.getTime() / DAY_MS);
    const batch: typeof planned = [];
    while (index < planned.length && Math.floor(planned[index]!.opened_at.getTime() / DAY_MS) === day && batch.length < OPEN_CONCURRENCY) batch.push(planned[index++]!);
    if (batch[0]!.opened_at.getTime() > deps.clock.now().getTime()) deps.clock.set(batch[0]!.opened_at);
    await Promise.all(batch.map(async (plan) => {
      const { person } = plan;
      const customer = await deps.core.openCustomer({
        name_kanji: person.name_kanji, name_kana: person.name_kana, birth_date: person.birth_date, phone: person.phone, email: person.email,
        address: '東京都千代田区 (lab)', login_id: person.login_id, password: person.password,
      });
      const account = await deps.core.openAccount({ customer_id: customer.id, branch_code: person.branch_code, account_number: person.account_number, pin: person.pin });
      if (plan.balance_yen > 0) await deps.core.deposit(account.id, plan.balance_yen, '給与');
      const ip = `2001:db8:${(plan.n >>> 16).toString(16)}:${(plan.n & 0xffff).toString(16)}::1`;
      const totp_secret = plan.authenticator ? await enrolAuthenticator(deps, deps.browser(ip), person) : null;
      const totp_usable_from = totp_secret ? new Date(deps.clock.now().getTime() + NEW_FACTOR_COOLING_OFF_MS) : null;
      customers.set(plan.key, {
        kind: 'customer', key: plan.key, cohort: plan.spec.id, group: plan.spec.group ?? null, person, customer_id: customer.id, account_id: account.id,
        ip, device_id: `${plan.key.replace(/[^A-Za-z0-9._:-]/g, '.')}.phone`, totp_secret, totp_usable_from, random: plan.random, links: new Map(), charges: new Map(),
      });
    }));
    done += batch.length;
    progress?.(done, planned.length);
  }
  return [...customers.values()].sort((a, b) => a.person.login_id.localeCompare(b.person.login_id, 'en', { numeric: true }));
}
