import type { RiskFeatures } from '../risk/risk-features.ts';
import type { RiskPipeline } from '../risk/risk-pipeline.ts';
import type { RiskAction, RiskDecision } from '../risk/risk-outcome.ts';
import { ACCOUNT_LINKS_LOOKBACK_MS } from '../risk/load-charge-features.ts';
import { assert } from '../shared/assert.ts';
import type { ChunkData, ChunkLink } from './scan-chunk-data.ts';
import { CREDENTIAL_LOOKBACK, SCAN_LOOKAHEAD_MS } from './scan-chunk-data.ts';
import type { MoneyAfterLink, ScanLinkFeatures } from './scan-link-features.ts';
import type { ScanTypology } from './scan-typology.ts';
import { SlidingCount } from './sliding-count.ts';
import { ageOnJapanDate, japanMonthKey, parseBirthDate, type BirthDate } from './japan-age.ts';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** A suspect link as stored: its own score, or its worst suspect charge's if higher. */
export interface SuspectLink {
  link_id: string;
  customer_id: string;
  operator_id: string;
  method: string;
  linked_ms: number;
  score: number;
  reasons: string[];
  decision: RiskAction;
  charges_count: number;
  charged_yen: number;
}

/** A suspect charge in the window. */
export interface SuspectCharge {
  charge_id: string;
  link_id: string;
  customer_id: string;
  operator_id: string;
  amount_yen: number;
  charged_ms: number;
  score: number;
  reasons: string[];
  decision: RiskAction;
}

/** A customer with a suspect link. */
export interface SuspectCustomer {
  customer_id: string;
  score: number;
  reasons: string[];
  links_count: number;
  charges_count: number;
  charged_yen: number;
}

/** Charges scanned and suspect per operator and Japan-time month (year × 100 + month). */
export interface MonthTotal {
  operator_id: string;
  month_key: number;
  charges_scanned: number;
  charged_yen: number;
  suspect_charges: number;
  suspect_yen: number;
}

/** What one chunk of customers gave. */
export interface ChunkResult {
  links_scanned: number;
  charges_scanned: number;
  charged_yen_scanned: number;
  suspect_links: SuspectLink[];
  suspect_charges: SuspectCharge[];
  suspect_customers: SuspectCustomer[];
  totals: MonthTotal[];
}

/** What the evaluation is run with: today's rules, the scan typology, and the scope. */
export interface EvaluationContext {
  pipeline: RiskPipeline;
  typology: ScanTypology;
  from_ms: number;
  to_ms: number;
  operator_id: string | null;
}

interface ChargeSeen {
  charge_id: string;
  amount_yen: number;
  at_ms: number;
  decision: RiskDecision;
}

interface LinkState {
  link: ChunkLink;
  decision: RiskDecision | null;
  balance_before_link_yen: number;
  charges_count: number;
  recent: SlidingCount;
  charges_after_link: MoneyAfterLink[];
  credits_after_link: MoneyAfterLink[];
  first_charge_age: number | null;
  first_charge_idle_days: number | null;
  failures_before_link: number;
  locked_before_link: boolean;
  in_window: ChargeSeen[];
}

interface AccountState {
  balance_yen: number;
  last_out_ms: number;
  links: LinkState[];
}

/** Reasons in order without repeats. */
function merged(...lists: ReadonlyArray<readonly string[]>): string[] {
  return [...new Set(lists.flat())];
}

/** Count and latest of ascending times inside (since, at]. */
function within(times: readonly number[] | undefined, since_ms: number, at_ms: number): { count: number; latest: number | null } {
  let count = 0;
  let latest: number | null = null;
  for (const time of times ?? []) {
    if (time > at_ms) break;
    if (time > since_ms) {
      count += 1;
      latest = time;
    }
  }
  return { count, latest };
}

/**
 * Re-evaluates one chunk of customers: walks each customer's ledger lines and link events in time order, rebuilding
 * the real-time features of every link request and charge as they were at that moment (counts, velocity, balance,
 * idle days, age, failed credentials), decides each in the window with today's rules, then scores each link's whole
 * history with the scan typology. Pure: the database was read before, and results are written after.
 */
export function evaluateChunk(data: ChunkData, context: EvaluationContext): ChunkResult {
  const { pipeline, typology, from_ms, to_ms, operator_id } = context;
  const inScope = (link: ChunkLink) => operator_id === null || link.operator_id === operator_id;
  const result: ChunkResult = { links_scanned: 0, charges_scanned: 0, charged_yen_scanned: 0, suspect_links: [], suspect_charges: [], suspect_customers: [], totals: [] };
  const totals = new Map<string, Map<number, MonthTotal>>();
  const totalFor = (operator: string, at_ms: number): MonthTotal => {
    let months = totals.get(operator);
    if (!months) totals.set(operator, (months = new Map()));
    const month_key = japanMonthKey(at_ms);
    let total = months.get(month_key);
    if (!total) months.set(month_key, (total = { operator_id: operator, month_key, charges_scanned: 0, charged_yen: 0, suspect_charges: 0, suspect_yen: 0 }));
    return total;
  };

  const { lines } = data;
  const linksByAccount = new Map<string, number[]>();
  data.links.forEach((link, index) => {
    const list = linksByAccount.get(link.account_id);
    if (list) list.push(index);
    else linksByAccount.set(link.account_id, [index]);
  });

  // Accounts arrive ordered by customer: walk one customer at a time.
  for (let first = 0; first < data.accounts.length;) {
    const customer_id = data.accounts[first]!.customer_id;
    let last = first + 1;
    while (last < data.accounts.length && data.accounts[last]!.customer_id === customer_id) last += 1;
    const accountIndexes: number[] = [];
    for (let a = first; a < last; a += 1) accountIndexes.push(a);
    first = last;

    const birth: BirthDate | undefined = parseBirthDate(data.accounts[accountIndexes[0]!]!.birth_date);
    const failures = data.failures.get(customer_id);
    const locks = data.locks.get(customer_id);
    const customerRecent = new SlidingCount();
    let customerCharges = 0;
    let customerLargest = 0;
    const firstChargeByOperator = new Map<string, number>();
    const states: AccountState[] = [];
    const linkStates = new Map<number, LinkState>();
    // Per account: its links by creation time and a cursor into its lines (commit order); the walk takes the earliest.
    const cursors = accountIndexes.map((a) => {
      const account = data.accounts[a]!;
      const state: AccountState = { balance_yen: 0, last_out_ms: account.opened_ms, links: [] };
      states[a] = state;
      return { a, state, line: lines.account_starts[a]!, line_end: lines.account_starts[a + 1]!, links: linksByAccount.get(account.id) ?? [], next_link: 0 };
    });

    const credentialsAt = (at_ms: number, features: RiskFeatures) => {
      const failed = within(failures, at_ms - CREDENTIAL_LOOKBACK.failures_ms, at_ms);
      const locked = within(locks, at_ms - CREDENTIAL_LOOKBACK.locks_ms, at_ms);
      features.credential_failures_24h = failed.count;
      features.credential_failure_seconds_ago = failed.latest === null ? null : Math.floor((at_ms - failed.latest) / 1000);
      features.credential_lock_seconds_ago = locked.latest === null ? null : Math.floor((at_ms - locked.latest) / 1000);
      // Locks only: the scan does not load reverse-brute-force hits, so it may see an attack later than the live path.
      const attacked = within(locks, at_ms - CREDENTIAL_LOOKBACK.attacks_ms, at_ms);
      features.credential_attack_seconds_ago = attacked.latest === null ? null : Math.floor((at_ms - attacked.latest) / 1000);
    };
    const accountLinks = (state: AccountState, at_ms: number, features: RiskFeatures) => {
      let active = 0;
      let recent = 0;
      for (const { link } of state.links) {
        if (link.created_ms > at_ms) continue;
        if (link.revoked_ms === null || link.revoked_ms > at_ms) active += 1;
        if (link.created_ms > at_ms - ACCOUNT_LINKS_LOOKBACK_MS) recent += 1;
      }
      features.account_links_active = active;
      features.account_links_7d = recent;
    };
    const noCredentials = !failures && !locks;

    for (;;) {
      // The next event: the earliest pending link or line across the customer's accounts (a link first in a tie).
      let cursor: (typeof cursors)[number] | undefined;
      let isLink = false;
      let at = Infinity;
      for (const candidate of cursors) {
        if (candidate.next_link < candidate.links.length) {
          const created = data.links[candidate.links[candidate.next_link]!]!.created_ms;
          if (created < at || (created === at && !isLink)) {
            cursor = candidate;
            isLink = true;
            at = created;
          }
        }
        if (candidate.line < candidate.line_end) {
          const lineAt = lines.at_ms[lines.order[candidate.line]!]!;
          if (lineAt < at) {
            cursor = candidate;
            isLink = false;
            at = lineAt;
          }
        }
      }
      if (!cursor) break;
      const state = cursor.state;

      if (isLink) {
        const index = cursor.links[cursor.next_link++]!;
        const link = data.links[index]!;
        const linkState: LinkState = {
          link, decision: null, balance_before_link_yen: state.balance_yen, charges_count: 0, recent: new SlidingCount(),
          charges_after_link: [], credits_after_link: [], first_charge_age: null, first_charge_idle_days: null,
          failures_before_link: noCredentials ? 0 : within(failures, link.created_ms - CREDENTIAL_LOOKBACK.failures_ms, link.created_ms).count,
          locked_before_link: noCredentials ? false : within(locks, link.created_ms - CREDENTIAL_LOOKBACK.locks_ms, link.created_ms).count > 0,
          in_window: [],
        };
        state.links.push(linkState);
        linkStates.set(index, linkState);
        if (!inScope(link) || link.created_ms >= to_ms) continue;
        const firstUse = firstChargeByOperator.get(link.operator_id);
        // The scan reads no wallet subjects of earlier links: a re-link counts as the same wallet (it may miss, never cries wolf).
        const features: RiskFeatures = {
          stage: 'link', amount_yen: 0, charge_yen_max: link.charge_yen_max, link_method: link.method, link_age_seconds: 0,
          kyc_level: link.kyc_level, identity_match_score: link.identity_match_score, link_charges_count: 0, link_unconfirmed_yen: 0, link_first_charge_seconds_ago: 0,
          customer_charges_count: customerCharges, customer_charge_yen_largest: customerLargest, link_charges_1h: 0, customer_charges_24h: 0,
          device_charges_1h: null, ip_charges_1h: 0, account_links_active: 0, account_links_7d: 0,
          device_links_24h: link.device_links_24h, ip_links_24h: link.ip_links_24h ?? 1, device_accounts_30d: link.device_accounts_30d,
          customer_age_years: ageOnJapanDate(birth, link.created_ms),
          // Only the latest change of the number is kept, not what the number's age was back then: unknown.
          phone_number_age_hours: null,
          sms_link_sim_change_age_hours: null,
          credential_failures_24h: 0, credential_failure_seconds_ago: null, credential_lock_seconds_ago: null, credential_attack_seconds_ago: null,
          operator_used_before_link: firstUse !== undefined && firstUse < link.created_ms, wallet_identity_new_at_operator: false,
          account_idle_days: Math.max(0, Math.floor((link.created_ms - state.last_out_ms) / DAY_MS)),
          // The operator's live volume is not replayed: the scan judges each link and charge on its own history.
          operator_anomaly_level: null,
        };
        accountLinks(state, link.created_ms, features);
        if (!noCredentials) credentialsAt(link.created_ms, features);
        linkState.decision = pipeline.decide(features);
        continue;
      }

      const line = lines.order[cursor.line++]!;
      const amount_yen = lines.amount_yen[line]!;
      if (lines.debit[line] === 0) {
        state.balance_yen += amount_yen;
        for (const linkState of state.links) {
          const after = at - linkState.link.created_ms;
          if (after >= 0 && after < SCAN_LOOKAHEAD_MS) linkState.credits_after_link.push({ seconds_after_link: Math.floor(after / 1000), amount_yen });
        }
        continue;
      }
      const linkState = lines.link[line]! === -1 ? undefined : linkStates.get(lines.link[line]!);
      if (linkState) {
        const link = linkState.link;
        const idle_days = Math.max(0, Math.floor((at - state.last_out_ms) / DAY_MS));
        const age = ageOnJapanDate(birth, at);
        if (inScope(link) && at >= from_ms && at < to_ms) {
          const firstUse = firstChargeByOperator.get(link.operator_id);
          const features: RiskFeatures = {
            stage: 'charge', amount_yen, charge_yen_max: link.charge_yen_max, link_method: link.method,
            link_age_seconds: Math.max(0, Math.floor((at - link.created_ms) / 1000)),
            kyc_level: link.kyc_level, identity_match_score: link.identity_match_score,
            link_charges_count: linkState.charges_count,
            // The ledger does not say which charges the holder approved at the bank: unknown, and the rule passes.
            link_unconfirmed_yen: null, link_first_charge_seconds_ago: null, customer_charges_count: customerCharges, customer_charge_yen_largest: customerLargest,
            link_charges_1h: linkState.recent.countAfter(at - HOUR_MS) + 1,
            customer_charges_24h: customerRecent.countAfter(at - DAY_MS) + 1,
            // Neither the ledger nor the charges table keeps the charge's device or address: only this charge counts.
            device_charges_1h: null, ip_charges_1h: 1, account_links_active: 0, account_links_7d: 0,
            device_links_24h: link.device_links_24h, ip_links_24h: link.ip_links_24h ?? 1, device_accounts_30d: link.device_accounts_30d,
            customer_age_years: age, phone_number_age_hours: null, sms_link_sim_change_age_hours: null, credential_failures_24h: 0, credential_failure_seconds_ago: null, credential_lock_seconds_ago: null, credential_attack_seconds_ago: null,
            operator_used_before_link: firstUse !== undefined && firstUse < link.created_ms, wallet_identity_new_at_operator: false,
            account_idle_days: idle_days,
            operator_anomaly_level: null,
          };
          accountLinks(state, at, features);
          if (!noCredentials) credentialsAt(at, features);
          const charge_id = lines.charge_id[line];
          assert(charge_id !== undefined, 'a charge line has its charge id');
          linkState.in_window.push({ charge_id, amount_yen, at_ms: at, decision: pipeline.decide(features) });
        }
        if (linkState.charges_count === 0) {
          linkState.first_charge_age = age;
          linkState.first_charge_idle_days = idle_days;
        }
        linkState.charges_count += 1;
        linkState.recent.add(at);
        linkState.charges_after_link.push({ seconds_after_link: Math.floor((at - link.created_ms) / 1000), amount_yen });
        customerCharges += 1;
        if (amount_yen > customerLargest) customerLargest = amount_yen;
        customerRecent.add(at);
        if (!firstChargeByOperator.has(link.operator_id)) firstChargeByOperator.set(link.operator_id, at);
      }
      state.balance_yen -= amount_yen;
      state.last_out_ms = at;
    }

    // Score each link's whole history, then its charges in the window.
    const sign_ins = data.sign_ins.get(customer_id) ?? 0;
    let customer: SuspectCustomer | undefined;
    for (const linkState of linkStates.values()) {
      const { link } = linkState;
      if (!inScope(link) || linkState.decision === null) continue;
      const createdInWindow = link.created_ms >= from_ms && link.created_ms < to_ms;
      if (!createdInWindow && linkState.in_window.length === 0) continue;
      result.links_scanned += 1;
      const features: ScanLinkFeatures = {
        link_method: link.method,
        balance_before_link_yen: linkState.balance_before_link_yen,
        charges_after_link: linkState.charges_after_link,
        credits_after_link: linkState.credits_after_link,
        device_customers: link.device_id === null ? null : data.device_customers.get(link.device_id) ?? 1,
        source_ip_customers: link.method === 'fapi2' && link.source_ip !== null ? data.source_ip_customers.get(link.source_ip) ?? 1 : null,
        identity_match_reasons: link.identity_match_reasons,
        customer_sign_ins_in_window: sign_ins,
        customer_age_years_at_first_charge: linkState.first_charge_age,
        account_idle_days_at_first_charge: linkState.first_charge_idle_days,
        credential_failures_before_link_24h: linkState.failures_before_link,
        credential_locked_before_link: linkState.locked_before_link,
        not_me_reported: link.not_me_reported,
        case_resolution: link.case_resolution,
      };
      const scored = typology.scoreLink(features, linkState.decision.action);
      const linkReasons = merged(scored.reasons, linkState.decision.reasons);
      let best = scored.score;
      let suspectCharges = 0;
      let suspectYen = 0;
      for (const charge of linkState.in_window) {
        const score = scored.score + typology.chargePoints(charge.decision.action);
        const total = totalFor(link.operator_id, charge.at_ms);
        total.charges_scanned += 1;
        total.charged_yen += charge.amount_yen;
        result.charges_scanned += 1;
        result.charged_yen_scanned += charge.amount_yen;
        if (score < typology.suspect_score_min) continue;
        best = Math.max(best, score);
        suspectCharges += 1;
        suspectYen += charge.amount_yen;
        total.suspect_charges += 1;
        total.suspect_yen += charge.amount_yen;
        result.suspect_charges.push({
          charge_id: charge.charge_id, link_id: link.id, customer_id, operator_id: link.operator_id, amount_yen: charge.amount_yen,
          charged_ms: charge.at_ms, score, reasons: merged(scored.reasons, charge.decision.reasons), decision: charge.decision.action,
        });
      }
      if (best < typology.suspect_score_min) continue;
      result.suspect_links.push({
        link_id: link.id, customer_id, operator_id: link.operator_id, method: link.method, linked_ms: link.created_ms, score: best,
        reasons: linkReasons, decision: linkState.decision.action, charges_count: suspectCharges, charged_yen: suspectYen,
      });
      customer ??= { customer_id, score: 0, reasons: [], links_count: 0, charges_count: 0, charged_yen: 0 };
      customer.score = Math.max(customer.score, best);
      customer.reasons = merged(customer.reasons, scored.reasons);
      customer.links_count += 1;
      customer.charges_count += suspectCharges;
      customer.charged_yen += suspectYen;
    }
    if (customer) result.suspect_customers.push(customer);
  }
  for (const months of totals.values()) result.totals.push(...months.values());
  return result;
}
