import type { Queryable } from '../storage/database.ts';
import type { Link } from '../linking/link.ts';
import { assert } from '../shared/assert.ts';
import { japanDate } from '../shared/japan-time.ts';
import type { RiskFeatures } from './risk-features.ts';
import { customerAgeYears } from './customer-age.ts';
import { phoneNumberAgeHours } from './phone-number-age.ts';
import { CREDENTIAL_ATTACK_LOOKBACK_MS, CREDENTIAL_FAILURE_LOOKBACK_MS, CREDENTIAL_LOCK_LOOKBACK_MS, credentialHistoryColumns, type CredentialHistoryRow } from './credential-history.ts';
import { loadVelocity, velocityCount, type VelocityKey } from './risk-velocity.ts';
import { loadOperatorAnomalies } from '../operators/load-operator-anomalies.ts';
import type { OperatorAnomaly } from '../operators/operator-anomaly.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** "Links made on the account recently": a week, the spread of services in 2020's Japan Post Bank cases. */
export const ACCOUNT_LINKS_LOOKBACK_MS = 7 * DAY_MS;

/** One charge as the risk step sees it (already authenticated and within limits). */
export interface ChargeRiskInput {
  link: Link;
  /** The per-charge cap in force: the lower of the link's and the operator's. */
  charge_yen_max: number;
  amount_yen: number;
  /** When the link's operator registered: a new operator is compared with wider floors (src/operators/operator-anomaly.ts). */
  operator_registered_at: Date;
  source_ip: string;
  device_id: string | null;
}

/** Features plus who they are about, for the decision row and the velocity counters. */
export interface ChargeFeatureSet {
  features: RiskFeatures;
  customer_id: string;
  velocity_keys: VelocityKey[];
  /** The operator's level with this charge counted, and the measure behind it (for containment). */
  operator_anomaly: OperatorAnomaly;
}

interface LinkRow extends CredentialHistoryRow {
  link_id: string;
  customer_id: string;
  birth_date: string;
  /** When the number on record was changed; null while it is the one given at opening. */
  phone_changed_at: Date | null;
  sms_sim_changed_at: Date | null;
  identity_match_score: number | null;
  kyc_level: string | null;
  device_links_24h: number | null;
  ip_links_24h: number | null;
  device_accounts_30d: number | null;
  link_charges_count: number;
  link_unconfirmed_yen: number;
  link_confirmed: boolean;
  /** Null with no charge yet; a link charged before the column existed has charges and a null date. */
  link_first_charge_at: Date | null;
  customer_charges_count: number;
  customer_charge_yen_largest: number;
  operator_used_before_link: boolean;
  wallet_identity_new_at_operator: boolean;
  account_links_active: number;
  account_links_7d: number;
  last_holder_activity_at: Date;
}

/**
 * Loads the features of a whole batch of charges with two set-based queries: one row per distinct link (link,
 * customer, origin, history, links on the account, last money out, failed and locked credentials), and one for the
 * velocity windows. Velocity counts run forward through the batch in order, so the 11th charge of a burst in
 * one batch sees 11, as it would in eleven batches.
 */
export async function loadChargeFeatures(tx: Queryable, inputs: readonly ChargeRiskInput[], now: Date): Promise<ChargeFeatureSet[]> {
  if (inputs.length === 0) return [];
  const linkIds = [...new Set(inputs.map((input) => input.link.id))];
  const rows = await tx.query<LinkRow>(
    `SELECT l.id AS link_id, a.customer_id, c.birth_date::text AS birth_date, nullif(c.phone_set_at, c.created_at) AS phone_changed_at,
            l.sms_sim_changed_at, l.identity_match_score, l.kyc_attestation #>> '{kyc,level}' AS kyc_level,
            o.device_links_24h, o.ip_links_24h, o.device_accounts_30d,
            coalesce(ls.charges_count, 0) AS link_charges_count,
            coalesce(ls.unconfirmed_yen, 0)::int8 AS link_unconfirmed_yen, ls.confirmed_at IS NOT NULL AS link_confirmed,
            ls.first_charge_at AS link_first_charge_at,
            coalesce(cs.charges_count, 0) AS customer_charges_count,
            coalesce(cs.charge_yen_largest, 0)::int8 AS customer_charge_yen_largest,
            coalesce(co.first_charge_at < l.created_at, false) AS operator_used_before_link,
            -- Only for an operator used before (a re-link): is this the same wallet user (attested subject) or the
            -- same wallet install (origin device) as one of the customer's earlier links there? Unknown is not same.
            CASE WHEN co.first_charge_at < l.created_at THEN NOT EXISTS (
              SELECT 1 FROM bank_accounts pa
                JOIN links p ON p.account_id = pa.id
                LEFT JOIN link_origins po ON po.link_id = p.id
               WHERE pa.customer_id = a.customer_id AND p.operator_id = l.operator_id AND p.created_at < l.created_at
                 AND ((p.kyc_attestation ->> 'sub') = (l.kyc_attestation ->> 'sub') OR po.device_id = o.device_id))
            ELSE false END AS wallet_identity_new_at_operator,
            (SELECT count(*)::int FROM links x WHERE x.account_id = l.account_id AND x.status = 'active') AS account_links_active,
            (SELECT count(*)::int FROM links x WHERE x.account_id = l.account_id AND x.created_at > $2) AS account_links_7d,
            -- A FAPI link was made by the holder signing in at the bank with a second factor: a sign of life, so
            -- the holder waking a dormant account is not challenged again on the charges of the link just made.
            greatest(la.created_at, CASE WHEN l.method = 'fapi2' THEN l.created_at END,
                     (SELECT t.created_at FROM ledger_transfers t
                       WHERE t.debit_account_id = l.account_id AND t.flags & 5 = 0 ORDER BY t.seq DESC LIMIT 1)) AS last_holder_activity_at,
            ${credentialHistoryColumns({ failures_since: '$3', locks_since: '$4', attacks_since: '$6', now: '$5' })}
       FROM links l
       JOIN bank_accounts a ON a.id = l.account_id
       JOIN customers c ON c.id = a.customer_id
       JOIN ledger_accounts la ON la.id = l.account_id
       LEFT JOIN link_origins o ON o.link_id = l.id
       LEFT JOIN risk_link_stats ls ON ls.link_id = l.id
       LEFT JOIN risk_customer_stats cs ON cs.customer_id = a.customer_id
       LEFT JOIN risk_customer_operators co ON co.customer_id = a.customer_id AND co.operator_id = l.operator_id
      WHERE l.id = ANY($1::uuid[])`,
    [linkIds, new Date(now.getTime() - ACCOUNT_LINKS_LOOKBACK_MS), new Date(now.getTime() - CREDENTIAL_FAILURE_LOOKBACK_MS),
      new Date(now.getTime() - CREDENTIAL_LOCK_LOOKBACK_MS), now, new Date(now.getTime() - CREDENTIAL_ATTACK_LOOKBACK_MS)],
  );
  const byLink = new Map(rows.map((row) => [row.link_id, row]));
  assert(byLink.size === linkIds.length, 'every authenticated link has its account and customer');

  const keysOf = (input: ChargeRiskInput, row: LinkRow): VelocityKey[] => [
    { dimension: 'link', key: input.link.id },
    { dimension: 'customer', key: row.customer_id },
    ...(input.device_id === null ? [] : [{ dimension: 'device' as const, key: input.device_id }]),
    { dimension: 'ip', key: input.source_ip },
  ];
  const velocity = await loadVelocity(tx, inputs.flatMap((input) => keysOf(input, byLink.get(input.link.id)!)), now);
  const anomalies = await loadOperatorAnomalies(tx, inputs.map((input) => ({ operator_id: input.link.operator_id, registered_at: input.operator_registered_at, kind: 'charge' as const })), now);
  const today = japanDate(now);
  const secondsSince = (at: Date | null) => (at === null ? null : Math.max(0, Math.floor((now.getTime() - at.getTime()) / 1000)));

  // Forward counts within the batch: what earlier items of this batch add to each window, and to each link's yen.
  const inBatch = new Map<string, number>();
  const yenInBatch = new Map<string, number>();
  return inputs.map((input, index) => {
    const row = byLink.get(input.link.id)!;
    const operator_anomaly = anomalies[index]!;
    const velocity_keys = keysOf(input, row);
    const counted = (key: VelocityKey) => {
      const id = `${key.dimension}:${key.key}`;
      const earlier = inBatch.get(id) ?? 0;
      inBatch.set(id, earlier + 1);
      return velocityCount(velocity, key) + earlier + 1;
    };
    // Once the holder approved one of the link's charges at the bank, nothing on it is unconfirmed any more.
    const unconfirmed = row.link_confirmed ? 0 : (yenInBatch.get(input.link.id) ?? Number(row.link_unconfirmed_yen)) + input.amount_yen;
    yenInBatch.set(input.link.id, unconfirmed);
    const [linkKey, customerKey, ...rest] = velocity_keys;
    const deviceKey = input.device_id === null ? undefined : rest[0];
    const ipKey = rest.at(-1)!;
    const features: RiskFeatures = {
      stage: 'charge',
      amount_yen: input.amount_yen,
      charge_yen_max: input.charge_yen_max,
      link_method: input.link.method,
      link_age_seconds: Math.max(0, Math.floor((now.getTime() - input.link.created_at.getTime()) / 1000)),
      kyc_level: row.kyc_level,
      identity_match_score: row.identity_match_score,
      link_charges_count: row.link_charges_count,
      link_unconfirmed_yen: unconfirmed,
      // The first charge of a link (none moved before, this batch's earlier ones aside) starts its window now.
      link_first_charge_seconds_ago: row.link_first_charge_at !== null ? secondsSince(row.link_first_charge_at)
        : row.link_charges_count === 0 ? 0 : null,
      customer_charges_count: row.customer_charges_count,
      customer_charge_yen_largest: Number(row.customer_charge_yen_largest),
      link_charges_1h: counted(linkKey!),
      customer_charges_24h: counted(customerKey!),
      device_charges_1h: deviceKey ? counted(deviceKey) : null,
      ip_charges_1h: counted(ipKey),
      account_links_active: row.account_links_active,
      account_links_7d: row.account_links_7d,
      device_links_24h: row.device_links_24h,
      // A link from before origins were recorded counts as the only one from its address.
      ip_links_24h: row.ip_links_24h ?? 1,
      device_accounts_30d: row.device_accounts_30d,
      customer_age_years: customerAgeYears(row.birth_date, today),
      phone_number_age_hours: phoneNumberAgeHours(row.phone_changed_at, now),
      sms_link_sim_change_age_hours: phoneNumberAgeHours(row.sms_sim_changed_at, now),
      credential_failures_24h: row.credential_failures_24h,
      // A link made by signing in at the bank with a second factor answers every failed attempt before it (the
      // holder's own typo, or a guess that the second factor stopped): on that link's charges only later failures
      // count. Locks and sprayed PINs still do, below. A PIN link proves nothing, so every failure counts on it.
      credential_failure_seconds_ago: input.link.method === 'fapi2' && row.credential_last_failure_at !== null && row.credential_last_failure_at <= input.link.created_at
        ? null : secondsSince(row.credential_last_failure_at),
      credential_lock_seconds_ago: secondsSince(row.credential_last_lock_at),
      credential_attack_seconds_ago: secondsSince(row.credential_last_attack_at),
      operator_used_before_link: row.operator_used_before_link,
      wallet_identity_new_at_operator: row.wallet_identity_new_at_operator,
      account_idle_days: Math.max(0, Math.floor((now.getTime() - row.last_holder_activity_at.getTime()) / DAY_MS)),
      operator_anomaly_level: operator_anomaly.level,
    };
    return { features, customer_id: row.customer_id, velocity_keys, operator_anomaly };
  });
}
