import type { Database } from '../storage/database.ts';
import { assert } from '../shared/assert.ts';
import { hashSecret } from '../shared/secret-hash.ts';
import { JST_OFFSET_MS } from '../shared/japan-time.ts';
import { CHARGE_YEN_MAX_DEFAULT, CHARGES_YEN_PER_MONTH_MAX_DEFAULT } from '../operators/operator.ts';
import { createHistoryWriter, type HistoryLink } from './history-writer.ts';
import { seededRandom, type SeededRandom } from './seeded-random.ts';
import { historyId } from './history-ids.ts';
import { HISTORY_OPERATORS } from './history-operators.ts';
import { copyLine } from './copy-text.ts';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const YEAR_MS = 365 * DAY_MS;

/** The most customers one run makes: the issue's full size. */
export const HISTORY_CUSTOMERS_MAX = 1_000_000;
/** The most charges one run makes: the issue's full size. */
export const HISTORY_CHARGES_MAX = 10_000_000;
/**
 * Share of customers robbed, before the bias towards elderly and dormant accounts. Japan Post Bank found about 380
 * cases and 600 more suspicious customers (seeds/004); a quarter of a percent gives a 1,000,000-customer bank
 * about 2,500 victims, enough for recall to be measured to a tenth of a percent.
 */
export const HISTORY_THEFT_RATE_DEFAULT = 0.0025;

/** How a planted theft was done; each follows a pattern of the 2020 reports. */
export type TheftVariant = 'farm' | 'lone' | 'impostor' | 'patient';

/** What `furikae lab history` is asked for. */
export interface HistoryOptions {
  customers: number;
  charges: number;
  seed: string;
  /** The history's first and last Japan-time days (default the Japan Post Bank review, 2017-07-01 to 2020-09-30). */
  from_date?: string;
  to_date?: string;
  theft_rate?: number;
  /** Told every few thousand customers. */
  onProgress?: (customers_done: number, customers_total: number) => void;
}

/** What was made, and the thefts planted in it (also in `lab_history_thefts`). */
export interface HistorySummary {
  customers: number;
  links: number;
  charges: number;
  transfers: number;
  victims: number;
  theft_links: number;
  theft_charges: number;
  theft_yen: number;
  variants: Record<TheftVariant, number>;
  from_date: string;
  to_date: string;
}

/** Who a customer is, drawn from their own stream so the victim plan and the generation agree. */
interface Profile {
  birth_year: number;
  birth_date: string;
  elderly: boolean;
  /** No money out for years before the history starts. */
  dormant: boolean;
  /** Uses the bank's own pages. */
  internet_banking: boolean;
  opened_ms: number;
}

/** One planted theft: which customer, how, from which device and operator, and when the link was made. */
interface TheftPlan {
  variant: TheftVariant;
  operator_index: number;
  device_id: string | null;
  link_ms: number;
  pin_failures: number;
  reported_not_me: boolean;
  resolved_as_fraud: boolean;
}

const SURNAMES = [['山田', 'ヤマダ'], ['佐藤', 'サトウ'], ['鈴木', 'スズキ'], ['高橋', 'タカハシ'], ['田中', 'タナカ'], ['伊藤', 'イトウ'], ['渡辺', 'ワタナベ'], ['中村', 'ナカムラ']] as const;
const GIVEN_NAMES = [['花子', 'ハナコ'], ['太郎', 'タロウ'], ['恵子', 'ケイコ'], ['健一', 'ケンイチ'], ['美咲', 'ミサキ'], ['翔', 'ショウ'], ['和子', 'カズコ'], ['勇', 'イサム']] as const;

function japanMidnight(date: string): number {
  assert(/^\d{4}-\d{2}-\d{2}$/.test(date), `date ${date} is YYYY-MM-DD`);
  return Date.parse(`${date}T00:00:00Z`) - JST_OFFSET_MS;
}

function isoDate(ms: number): string {
  return new Date(ms + JST_OFFSET_MS).toISOString().slice(0, 10);
}

/** Round yen to a thousand, as people top up. */
function thousands(yen: number): number {
  return Math.max(1000, Math.round(yen / 1000) * 1000);
}

function profileOf(seed: string, index: number, from_ms: number): Profile {
  const random = seededRandom(seed, `profile:${index}`);
  // Ages in 2020 weighted as a Japanese bank's customers are: many over 65.
  const band = random.next();
  const age = band < 0.15 ? random.int(18, 29) : band < 0.37 ? random.int(30, 44) : band < 0.7 ? random.int(45, 64) : band < 0.86 ? random.int(65, 74) : random.int(75, 95);
  const birth_year = 2020 - age;
  const birth_date = `${birth_year}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
  const elderly = age >= 65;
  const dormant = random.chance(elderly ? 0.12 : 0.06);
  const internet_banking = random.chance(age < 40 ? 0.75 : elderly ? 0.2 : 0.55);
  const opened_ms = japanMidnight('1995-01-01') + random.next() * (from_ms - 2 * YEAR_MS - japanMidnight('1995-01-01'));
  return { birth_year, birth_date, elderly, dormant, internet_banking, opened_ms };
}

/** Money events of one customer, applied in time order so every balance check sees the balance of that moment. */
type MoneyEvent =
  | { kind: 'withdrawal'; at_ms: number; amount_yen: number }
  | { kind: 'charge'; at_ms: number; amount_yen: number; link: HistoryLink; theft: boolean; fill: boolean }
  | { kind: 'drain'; at_ms: number; link: HistoryLink; charges_max: number; spacing_ms: number; leave_yen: number };

/**
 * Generates a bank's history and COPYs it in (src/history/history-writer.ts): customers with accounts, six wallet
 * operators, links with their origins, charges with ledger transfers and passbook lines, deposits and withdrawals,
 * sign-ins, typed passwords, "not me" reports and resolved cases, with thefts planted after the 2020 patterns and
 * labelled in `lab_history_thefts`. Deterministic for a seed: every customer draws from streams named after it.
 * Refuses a bank that already has customers: this is for a lab database, never a real one.
 */
export async function generateHistory(db: Database, options: HistoryOptions): Promise<HistorySummary> {
  const { customers: customersTotal, charges: chargesTarget, seed } = options;
  assert(Number.isSafeInteger(customersTotal) && customersTotal > 0 && customersTotal <= HISTORY_CUSTOMERS_MAX, `customers is 1 to ${HISTORY_CUSTOMERS_MAX}`);
  assert(Number.isSafeInteger(chargesTarget) && chargesTarget >= 0 && chargesTarget <= HISTORY_CHARGES_MAX, `charges is 0 to ${HISTORY_CHARGES_MAX}`);
  const from_date = options.from_date ?? '2017-07-01';
  const to_date = options.to_date ?? '2020-09-30';
  const from_ms = japanMidnight(from_date);
  const to_ms = japanMidnight(to_date) + DAY_MS;
  assert(from_ms < to_ms, 'the history starts before it ends');
  const theft_rate = options.theft_rate ?? HISTORY_THEFT_RATE_DEFAULT;

  const [existing] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM customers LIMIT 1) c`);
  if ((existing?.n ?? 0) > 0) throw new Error('furikae lab history needs an empty bank database: this one already has customers');
  await db.exec(`CREATE TABLE IF NOT EXISTS lab_history_thefts (
    link_id uuid PRIMARY KEY, customer_id uuid NOT NULL, variant text NOT NULL, charges_count integer NOT NULL, stolen_yen bigint NOT NULL)`);

  const writer = createHistoryWriter({ db, pin_hash: await hashSecret('0000'), password_hash: await hashSecret(`history-${seed}`) });
  const RESERVED = 0x0fffffff; // the id owner of rows that belong to no customer
  const staff_id = historyId(from_ms, RESERVED, 1);
  await writer.staff({ id: staff_id, login_id: 'history-analyst', display_name: '履歴 分析担当', created_ms: from_ms, role: 'analyst' });
  const operators = await Promise.all(HISTORY_OPERATORS.map(async (operator, index) => {
    const since_ms = Math.max(japanMidnight(operator.since), from_ms - 2 * YEAR_MS);
    const id = historyId(since_ms, RESERVED, 100 + index * 2);
    const settlement_account_id = historyId(since_ms, RESERVED, 101 + index * 2);
    await writer.operator({ id, settlement_account_id, display_name: operator.display_name, passbook_label: operator.passbook_label,
      client_id: operator.client_id, link_methods: [operator.method], created_ms: since_ms });
    return { ...operator, id, settlement_account_id, since_ms };
  }));
  const popularity = operators.reduce((sum, operator) => sum + operator.popularity, 0);
  const pickOperator = (random: SeededRandom, at_ms: number) => {
    for (let attempt = 0; attempt < 8; attempt += 1) {
      let roll = random.next() * popularity;
      const chosen = operators.findIndex((operator) => (roll -= operator.popularity) < 0);
      const index = chosen === -1 ? 0 : chosen;
      if (operators[index]!.since_ms <= at_ms) return index;
    }
    return 0;
  };

  // Pass 1: who is robbed, how, and when. Farms group victims behind one thief's device over a few weeks.
  const thefts = new Map<number, TheftPlan>();
  let farm: { device_id: string; operator_index: number; start_ms: number; size: number; members: number } | undefined;
  let farms = 0;
  for (let index = 0; index < customersTotal; index += 1) {
    const profile = profileOf(seed, index, from_ms);
    const random = seededRandom(seed, `victim:${index}`);
    // Thieves held leaked details of anyone, but the losses fell on elderly and dormant accounts more.
    const weight = (profile.elderly ? 2 : 1) * (profile.dormant ? 2 : 1);
    if (!random.chance((theft_rate * weight) / 1.6)) continue;
    const roll = random.next();
    const variant: TheftVariant = roll < 0.5 ? 'farm' : roll < 0.85 ? 'lone' : roll < 0.95 ? 'impostor' : 'patient';
    let device_id: string | null;
    let link_ms: number;
    let operator_index: number;
    if (variant === 'farm') {
      if (!farm || farm.members >= farm.size) {
        farms += 1;
        const start_ms = from_ms + random.next() * (to_ms - from_ms - 40 * DAY_MS);
        farm = { device_id: `thief-farm-${farms}`, operator_index: pickOperator(random, start_ms), start_ms, size: random.int(3, 12), members: 0 };
        if (operators[farm.operator_index]!.method !== 'legacy_pin') farm.operator_index = 0;
      }
      farm.members += 1;
      device_id = farm.device_id;
      operator_index = farm.operator_index;
      link_ms = farm.start_ms + farm.members * random.next() * 3 * DAY_MS;
    } else if (variant === 'impostor') {
      operator_index = operators.findIndex((operator) => operator.method === 'fapi2');
      const earliest = Math.max(from_ms, operators[operator_index]!.since_ms);
      link_ms = earliest + random.next() * (to_ms - earliest - 10 * DAY_MS);
      device_id = `thief-phone-${index}`;
    } else {
      link_ms = from_ms + random.next() * (to_ms - from_ms - 40 * DAY_MS);
      operator_index = pickOperator(random, link_ms);
      if (operators[operator_index]!.method !== 'legacy_pin') operator_index = 0;
      // Some operators relayed no device id in 2020.
      device_id = random.chance(0.3) ? null : `thief-phone-${index}`;
    }
    thefts.set(index, {
      variant, operator_index, device_id, link_ms,
      pin_failures: variant === 'impostor' ? 0 : random.chance(variant === 'patient' ? 0.6 : 0.5) ? random.int(1, 2) : 0,
      reported_not_me: random.chance(0.55),
      resolved_as_fraud: random.chance(0.25),
    });
  }

  const summary: HistorySummary = {
    customers: customersTotal, links: 0, charges: 0, transfers: 0, victims: thefts.size, theft_links: 0, theft_charges: 0, theft_yen: 0,
    variants: { farm: 0, lone: 0, impostor: 0, patient: 0 }, from_date, to_date,
  };
  // Honest links per customer come to about 0.95 (70 % of the under-65s and 35 % of the rest link, 1.6 each on average).
  const chargesPerLink = Math.max(1, chargesTarget / (customersTotal * 0.95));
  const theftLabels: string[] = [];

  // Pass 2: each customer's life, in time order.
  for (let index = 0; index < customersTotal; index += 1) {
    if (index % 5000 === 0) options.onProgress?.(index, customersTotal);
    const profile = profileOf(seed, index, from_ms);
    const random = seededRandom(seed, `customer:${index}`);
    let counter = 0;
    const id = (at_ms: number) => historyId(at_ms, index, (counter += 1));
    const customer_id = id(profile.opened_ms);
    const account_id = id(profile.opened_ms);
    const [surname, given] = [SURNAMES[index % SURNAMES.length]!, GIVEN_NAMES[Math.floor(index / SURNAMES.length) % GIVEN_NAMES.length]!];
    await writer.customer({
      id: customer_id, account_id, name_kanji: `${surname[0]} ${given[0]}`, name_kana: `${surname[1]} ${given[1]}`, birth_date: profile.birth_date,
      phone: `090-${String(Math.floor(index / 10000) % 10000).padStart(4, '0')}-${String(index % 10000).padStart(4, '0')}`, email: `h${index}@example.jp`,
      login_id: `h${index}`, branch_code: String(100 + (index % 900)), account_number: String(1_000_000 + Math.floor(index / 900)).padStart(7, '0'),
      created_ms: profile.opened_ms,
    });
    writer.deposit({ id: id(profile.opened_ms), account_id, amount_yen: thousands(Math.exp(10.8 + random.next() * 3.7)), at_ms: profile.opened_ms, label: '口座開設' });
    const events: MoneyEvent[] = [];
    const theft = thefts.get(index);
    const coupleDevice = seededRandom(seed, `couple:${Math.floor(index / 2)}`).chance(0.02);
    const device_id = `device-${coupleDevice ? `couple-${Math.floor(index / 2)}` : index}`;
    const cushion_yen = thousands(random.int(profile.elderly ? 200_000 : 80_000, profile.elderly ? 1_500_000 : 600_000));
    const home_ip = `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`;

    // Money out before the history: recent for active customers, years ago for dormant ones.
    const lastOut = profile.dormant ? from_ms - random.int(1, 4) * YEAR_MS : from_ms - random.exponential(30 * DAY_MS);
    events.push({ kind: 'withdrawal', at_ms: Math.max(profile.opened_ms + DAY_MS, lastOut), amount_yen: thousands(random.int(5_000, 30_000)) });
    // A dormant customer may come back and link a wallet themselves, honestly.
    const reactivates = profile.dormant && random.chance(0.05);
    const active_from = profile.dormant ? (reactivates ? from_ms + random.next() * (to_ms - from_ms) * 0.8 : to_ms) : from_ms;
    // Money leaves an everyday account every month or two (bills, cash); a light one a few times a year.
    const outEvery_ms = (random.chance(0.75) ? 60 : 200) * DAY_MS;
    for (let at = active_from + random.exponential(outEvery_ms); at < to_ms; at += random.exponential(outEvery_ms)) {
      events.push({ kind: 'withdrawal', at_ms: at, amount_yen: thousands(random.int(10_000, 50_000)) });
    }

    // Honest links and their top-ups.
    const links: HistoryLink[] = [];
    const links_count = active_from >= to_ms ? 0 : random.chance(profile.elderly ? 0.35 : 0.7) ? random.int(1, 2) + (random.chance(0.2) ? 1 : 0) : 0;
    const drains_own = links_count > 0 && random.chance(0.0002);
    for (let n = 0; n < links_count; n += 1) {
      const created_ms = active_from + random.next() * (to_ms - active_from) * 0.95;
      const operator_index = pickOperator(random, created_ms);
      const operator = operators[operator_index]!;
      const link = honestLink({ id: id(created_ms), operator, account_id, customer_id, created_ms, device_id, home_ip, random });
      links.push(link);
      const count = Math.max(1, Math.round(random.exponential(chargesPerLink)));
      const firstAt = created_ms + random.exponential(DAY_MS);
      const bigFirst = random.chance(0.03);
      for (let k = 0; k < count; k += 1) {
        const at_ms = k === 0 ? firstAt : created_ms + random.next() * (to_ms - created_ms);
        if (at_ms >= to_ms) continue;
        const amount = k === 0 && bigFirst ? thousands(random.int(50_000, 100_000)) : random.chance(0.03) ? thousands(random.int(30_000, 80_000)) : thousands(random.int(1_000, 20_000));
        events.push({ kind: 'charge', at_ms, amount_yen: amount, link, theft: false, fill: true });
      }
      if (n === 0 && drains_own) events.push({ kind: 'drain', at_ms: firstAt + HOUR_MS, link, charges_max: 6, spacing_ms: 6 * HOUR_MS, leave_yen: 3_000 });
    }

    // The planted theft, if any.
    let theftLink: HistoryLink | undefined;
    if (theft) {
      const operator = operators[theft.operator_index]!;
      const link_ms = Math.max(theft.link_ms, profile.opened_ms + DAY_MS);
      theftLink = {
        id: id(link_ms), operator_id: operator.id, account_id, customer_id, method: operator.method, created_ms: link_ms,
        charge_yen_max: CHARGE_YEN_MAX_DEFAULT, charges_yen_per_month_max: CHARGES_YEN_PER_MONTH_MAX_DEFAULT,
        source_ip: operator.method === 'legacy_pin' ? operator.server_ip : `198.51.100.${index % 250}`, device_id: theft.device_id,
        device_links_24h: theft.device_id === null ? null : 1, ip_links_24h: 1, device_accounts_30d: theft.device_id === null ? null : 1,
        ...(theft.variant === 'impostor' ? { kyc: impostorIdentity(random) } : {}),
      };
      for (let f = 0; f < theft.pin_failures; f += 1) {
        writer.credentialAttempt({ id: id(link_ms - (f + 1) * 7 * 60 * 1000), credential: 'legacy_pin', account_key: `${String(100 + (index % 900))}-${String(1_000_000 + Math.floor(index / 900)).padStart(7, '0')}`,
          operator_id: operator.id, source_ip: operator.server_ip, device_id: theft.device_id, outcome: 'failure', at_ms: link_ms - (f + 1) * 7 * 60 * 1000 });
      }
      const first = link_ms + random.next() * 12 * HOUR_MS;
      if (theft.variant === 'farm') {
        const charges = random.int(1, 4);
        for (let k = 0; k < charges; k += 1) {
          events.push({ kind: 'charge', at_ms: first + k * random.next() * 2 * DAY_MS, amount_yen: random.int(3, 10) * 10_000, link: theftLink, theft: true, fill: false });
        }
      } else if (theft.variant === 'patient') {
        // Spread over weeks under the monthly cap instead of all at once.
        let at = first;
        for (let k = random.int(3, 6); k > 0; k -= 1, at += random.int(3, 10) * DAY_MS) {
          events.push({ kind: 'charge', at_ms: at, amount_yen: random.int(3, 5) * 10_000, link: theftLink, theft: true, fill: false });
        }
      } else {
        events.push({ kind: 'drain', at_ms: first, link: theftLink, charges_max: 8, spacing_ms: random.int(1, 8) * HOUR_MS, leave_yen: random.int(0, 2_000) });
      }
    }

    // Apply in time order: honest top-ups are funded by a salary when the balance is short; thieves take what is there.
    events.sort((a, b) => a.at_ms - b.at_ms);
    const monthly = new Map<string, number>();
    const theftCharges: Array<{ id: string; amount_yen: number; at_ms: number }> = [];
    const chargeOnce = (link: HistoryLink, amount_yen: number, at_ms: number): { id: string; amount_yen: number } | undefined => {
      const operator = operators.find((candidate) => candidate.id === link.operator_id)!;
      const monthKey = `${link.id}:${isoDate(at_ms).slice(0, 7)}`;
      const used = monthly.get(monthKey) ?? 0;
      const amount = Math.min(amount_yen, link.charge_yen_max, link.charges_yen_per_month_max - used);
      if (amount < 1000) return undefined;
      const charge_id = id(at_ms);
      if (!writer.charge({ id: charge_id, link_id: link.id, operator_id: operator.id, settlement_account_id: operator.settlement_account_id, account_id, amount_yen: amount, at_ms, label: operator.passbook_label })) return undefined;
      monthly.set(monthKey, used + amount);
      summary.charges += 1;
      return { id: charge_id, amount_yen: amount };
    };
    for (const event of events) {
      if (event.kind === 'withdrawal') {
        if (writer.balance(account_id) >= event.amount_yen) writer.withdrawal({ id: id(event.at_ms), account_id, amount_yen: event.amount_yen, at_ms: event.at_ms });
      } else if (event.kind === 'charge') {
        // People keep a cushion in the account: income arrives before the balance runs down to the top-up.
        if (event.fill && writer.balance(account_id) < event.amount_yen + cushion_yen) {
          writer.deposit({ id: id(event.at_ms - HOUR_MS), account_id, amount_yen: thousands(random.int(150_000, 400_000)), at_ms: event.at_ms - HOUR_MS, label: '給与' });
        }
        // A thief takes what is there, to the thousand, sometimes leaving a little.
        const available = event.theft ? writer.balance(account_id) - random.int(0, 2_000) : event.amount_yen;
        const amount = Math.min(event.amount_yen, available - (available % 1000));
        const charged = amount >= 1000 ? chargeOnce(event.link, amount, event.at_ms) : undefined;
        if (charged && event.theft) theftCharges.push({ ...charged, at_ms: event.at_ms });
      } else {
        for (let k = 0, at = event.at_ms; k < event.charges_max && at < to_ms; k += 1, at += event.spacing_ms) {
          const available = writer.balance(account_id) - event.leave_yen;
          if (available < 5_000) break;
          const charged = chargeOnce(event.link, Math.min(100_000, available - (available % 1000)), at);
          if (!charged) break;
          if (event.link === theftLink) theftCharges.push({ ...charged, at_ms: at });
        }
      }
    }

    // Sign-ins to the bank's pages, and the odd mistyped password.
    if (profile.internet_banking) {
      const signIns = random.int(1, 12);
      for (let s = 0; s < signIns; s += 1) {
        const at_ms = from_ms + random.next() * (to_ms - from_ms);
        writer.credentialAttempt({ id: id(at_ms), credential: 'password', account_key: `login:h${index}`, source_ip: home_ip, device_id, outcome: 'success', at_ms });
        if (random.chance(0.03)) writer.credentialAttempt({ id: id(at_ms - 60_000), credential: 'password', account_key: `login:h${index}`, source_ip: home_ip, device_id, outcome: 'failure', at_ms: at_ms - 60_000 });
      }
    }

    // What became known later: honest customers sometimes report a charge they forgot; staff clear it.
    const honestReport = links.length > 0 && random.chance(0.0005);
    if (honestReport) {
      const link = links[0]!;
      const reported_ms = Math.min(to_ms, link.created_ms + 3 * DAY_MS);
      const case_id = id(reported_ms);
      await writer.notMe({ token_id: id(reported_ms), customer_id, link_id: link.id, charge_id: null, at_ms: reported_ms, case_id });
      await writer.resolvedCase({ id: case_id, customer_id, link_id: link.id, operator_id: link.operator_id, charge_ids: [], opened_ms: reported_ms,
        resolved_ms: reported_ms + DAY_MS, resolution: 'legitimate', staff_id, summary: 'お客さまの申告: 心当たりあり (honest top-up, forgotten)' });
    }
    if (theftLink && theft) {
      const last = theftCharges.at(-1)?.at_ms ?? theftLink.created_ms;
      let case_id: string | null = null;
      if (theft.resolved_as_fraud) {
        const resolved_ms = last + random.int(2, 120) * DAY_MS;
        case_id = id(resolved_ms);
        theftLink.revoked = { at_ms: resolved_ms, by: `staff:${staff_id}` };
        await writer.resolvedCase({ id: case_id, customer_id, link_id: theftLink.id, operator_id: theftLink.operator_id, charge_ids: theftCharges.map((charge) => charge.id),
          opened_ms: resolved_ms - DAY_MS, resolved_ms, resolution: 'fraud', staff_id, summary: '不正利用: 口座連携の不正 (planted theft)' });
      }
      if (theft.reported_not_me) {
        const reported_ms = last + random.int(1, 120) * DAY_MS;
        if (!theftLink.revoked) theftLink.frozen_ms = reported_ms;
        await writer.notMe({ token_id: id(reported_ms), customer_id, link_id: theftLink.id, charge_id: theftCharges.at(-1)?.id ?? null, at_ms: reported_ms, case_id });
      }
      links.push(theftLink);
      const stolen = theftCharges.reduce((sum, charge) => sum + charge.amount_yen, 0);
      theftLabels.push(copyLine([theftLink.id, customer_id, theft.variant, theftCharges.length, stolen]));
      summary.theft_links += 1;
      summary.theft_charges += theftCharges.length;
      summary.theft_yen += stolen;
      summary.variants[theft.variant] += 1;
    }
    for (const link of links) await writer.link(link);
    summary.links += links.length;
  }
  options.onProgress?.(customersTotal, customersTotal);
  summary.transfers = writer.transfers_count;
  await writer.finish();
  await db.copyFrom!('lab_history_thefts', ['link_id', 'customer_id', 'variant', 'charges_count', 'stolen_yen'], [theftLabels.join('')]);
  await finishOrigins(db);
  return summary;
}

/** An honest customer's link: the PIN path from the operator's server, or FAPI from their browser with a strong (sometimes phone-weak) match. */
function honestLink(input: { id: string; operator: { id: string; method: 'legacy_pin' | 'fapi2'; server_ip: string }; account_id: string; customer_id: string;
  created_ms: number; device_id: string; home_ip: string; random: SeededRandom }): HistoryLink {
  const { operator, random } = input;
  const weak = random.chance(0.05);
  return {
    id: input.id, operator_id: operator.id, account_id: input.account_id, customer_id: input.customer_id, method: operator.method, created_ms: input.created_ms,
    charge_yen_max: CHARGE_YEN_MAX_DEFAULT, charges_yen_per_month_max: CHARGES_YEN_PER_MONTH_MAX_DEFAULT,
    source_ip: operator.method === 'legacy_pin' ? operator.server_ip : input.home_ip, device_id: input.device_id,
    device_links_24h: 1, ip_links_24h: 1, device_accounts_30d: 1,
    ...(operator.method === 'fapi2' ? {
      kyc: weak
        ? { level: 'ekyc_document_face', identity_match_score: 80, identity_match_reasons: ['name_exact', 'birth_date_match', 'phone_mismatch'] }
        : { level: 'ekyc_document_face', identity_match_score: 100, identity_match_reasons: ['name_exact', 'birth_date_match', 'phone_match'] },
    } : {}),
  };
}

/** The thief's own eKYC identity, attested for someone else's account: the name or the date of birth differs. */
function impostorIdentity(random: SeededRandom) {
  const which = random.int(0, 2);
  const reasons = which === 0 ? ['name_mismatch', 'birth_date_match', 'phone_mismatch'] : which === 1 ? ['name_exact', 'birth_date_mismatch', 'phone_mismatch'] : ['name_mismatch', 'birth_date_mismatch', 'phone_mismatch'];
  const score = (reasons[0] === 'name_exact' ? 45 : 0) + (reasons[1] === 'birth_date_match' ? 35 : 0);
  return { level: 'ekyc_document_face', identity_match_score: score, identity_match_reasons: reasons };
}

/**
 * The counts kept on each link's origin as the bank counted them when the link was made: links from the address in
 * the day before, and for devices behind several customers, links in the day and distinct accounts in 30 days.
 */
async function finishOrigins(db: Database): Promise<void> {
  await db.exec(`
    UPDATE link_origins o SET ip_links_24h = w.n
      FROM (SELECT link_id, count(*) OVER (PARTITION BY source_ip ORDER BY created_at RANGE BETWEEN interval '1 day' PRECEDING AND CURRENT ROW)::int AS n
              FROM link_origins) w
     WHERE w.link_id = o.link_id AND w.n <> o.ip_links_24h;
    UPDATE link_origins o
       SET device_links_24h = (SELECT count(*) FROM link_origins x WHERE x.device_id = o.device_id AND x.created_at > o.created_at - interval '1 day' AND x.created_at <= o.created_at),
           device_accounts_30d = (SELECT count(DISTINCT x.account_id) FROM link_origins x WHERE x.device_id = o.device_id AND x.created_at > o.created_at - interval '30 days' AND x.created_at <= o.created_at)
     WHERE o.device_id IN (SELECT device_id FROM link_origins WHERE device_id IS NOT NULL GROUP BY device_id HAVING count(DISTINCT customer_id) > 1);
    ANALYZE;`);
}
