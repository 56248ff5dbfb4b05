import type { Queryable } from '../storage/database.ts';
import type { LinkMethod } from '../operators/operator.ts';
import { assert } from '../shared/assert.ts';
import { japanDate } from '../shared/japan-time.ts';
import type { RiskFeatures } from './risk-features.ts';
import { customerAgeYears } from './customer-age.ts';
import { phoneNumberAgeHours } from './phone-number-age.ts';
import { CREDENTIAL_ATTACK_LOOKBACK_MS, CREDENTIAL_FAILURE_LOOKBACK_MS, CREDENTIAL_LOCK_LOOKBACK_MS, credentialHistoryColumns, type CredentialHistoryRow } from './credential-history.ts';
import { ACCOUNT_LINKS_LOOKBACK_MS } from './load-charge-features.ts';
import { loadOperatorAnomalies } from '../operators/load-operator-anomalies.ts';
import type { OperatorAnomaly } from '../operators/operator-anomaly.ts';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** "New wallets from one source": links in the last day. */
export const SOURCE_LINKS_LOOKBACK_MS = DAY_MS;
/** "Several accounts from one device": distinct accounts in the last 30 days, long enough to span a thief's campaign. */
export const DEVICE_ACCOUNTS_LOOKBACK_MS = 30 * DAY_MS;

/** A link about to be made, as the risk pipeline sees it. */
export interface LinkRiskRequest {
  operator_id: string;
  /** The operator's per-charge cap, which the link will carry. */
  charge_yen_max: number;
  account_id: string;
  method: LinkMethod;
  kyc_level: string | null;
  identity_match_score: number | null;
  source_ip: string;
  device_id: string | null;
  /** The operator's user asking for the link (the KYC attestation's `sub`); null when nothing was attested (legacy). */
  wallet_subject: string | null;
}

/** Features of a link request, and the counts to keep on its origin row. */
export interface LinkFeatureSet {
  features: RiskFeatures;
  customer_id: string;
  /** The operator's level with this link counted, and the measure behind it (for containment). */
  operator_anomaly: OperatorAnomaly;
}

interface Row extends CredentialHistoryRow {
  operator_registered_at: Date;
  customer_id: string;
  birth_date: string;
  /** When the number on record was changed; null while it is the one given at opening. */
  phone_changed_at: Date | null;
  customer_charges_count: number;
  customer_charge_yen_largest: number;
  operator_used_before_link: boolean;
  wallet_identity_new_at_operator: boolean;
  account_links_active: number;
  account_links_7d: number;
  device_links_24h: number | null;
  ip_links_24h: number;
  device_accounts_30d: number | null;
  last_money_out_at: Date;
}

/** Loads the features of one link request (counts include the link being made) in one query. */
export async function loadLinkFeatures(tx: Queryable, request: LinkRiskRequest, now: Date): Promise<LinkFeatureSet> {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const [row] = await tx.query<Row>(
    `SELECT a.customer_id, c.birth_date::text AS birth_date, nullif(c.phone_set_at, c.created_at) AS phone_changed_at,
            coalesce(cs.charges_count, 0) AS customer_charges_count, coalesce(cs.charge_yen_largest, 0)::int8 AS customer_charge_yen_largest,
            (co.first_charge_at IS NOT NULL) AS operator_used_before_link,
            -- As on a charge (src/risk/load-charge-features.ts): a re-link by a wallet user or device not seen there before.
            CASE WHEN co.first_charge_at IS NOT NULL THEN NOT EXISTS (
              SELECT 1 FROM bank_accounts pa
                JOIN links p ON p.account_id = pa.id
                LEFT JOIN link_origins po ON po.link_id = p.id
               WHERE pa.customer_id = a.customer_id AND p.operator_id = $2
                 AND ((p.kyc_attestation ->> 'sub') = $11::text OR po.device_id = $4::text))
            ELSE false END AS wallet_identity_new_at_operator,
            (SELECT count(*)::int + 1 FROM links x WHERE x.account_id = a.id AND x.status = 'active') AS account_links_active,
            (SELECT count(*)::int + 1 FROM links x WHERE x.account_id = a.id AND x.created_at > $3) AS account_links_7d,
            CASE WHEN $4::text IS NULL THEN NULL
                 ELSE (SELECT count(*)::int + 1 FROM link_origins o WHERE o.device_id = $4::text AND o.created_at > $5) END AS device_links_24h,
            (SELECT count(*)::int + 1 FROM link_origins o WHERE o.source_ip = $6 AND o.created_at > $5) AS ip_links_24h,
            CASE WHEN $4::text IS NULL THEN NULL
                 ELSE (SELECT count(*)::int FROM (SELECT o.account_id FROM link_origins o WHERE o.device_id = $4::text AND o.created_at > $7
                                                  UNION SELECT a.id) u) END AS device_accounts_30d,
            greatest(la.created_at, (SELECT t.created_at FROM ledger_transfers t
                                      WHERE t.debit_account_id = a.id AND t.flags & 5 = 0 ORDER BY t.seq DESC LIMIT 1)) AS last_money_out_at,
            (SELECT o.created_at FROM operators o WHERE o.id = $2) AS operator_registered_at,
            ${credentialHistoryColumns({ failures_since: '$8', locks_since: '$9', attacks_since: '$12', now: '$10' })}
       FROM bank_accounts a
       JOIN customers c ON c.id = a.customer_id
       JOIN ledger_accounts la ON la.id = a.id
       LEFT JOIN risk_customer_stats cs ON cs.customer_id = a.customer_id
       LEFT JOIN risk_customer_operators co ON co.customer_id = a.customer_id AND co.operator_id = $2
      WHERE a.id = $1`,
    [request.account_id, request.operator_id, ago(ACCOUNT_LINKS_LOOKBACK_MS), request.device_id, ago(SOURCE_LINKS_LOOKBACK_MS),
      request.source_ip, ago(DEVICE_ACCOUNTS_LOOKBACK_MS), ago(CREDENTIAL_FAILURE_LOOKBACK_MS), ago(CREDENTIAL_LOCK_LOOKBACK_MS), now,
      request.wallet_subject, ago(CREDENTIAL_ATTACK_LOOKBACK_MS)],
  );
  assert(row, `account ${request.account_id} exists`);
  assert(row.operator_registered_at, `operator ${request.operator_id} exists`);
  const [operator_anomaly] = await loadOperatorAnomalies(tx, [{ operator_id: request.operator_id, registered_at: row.operator_registered_at, kind: 'link' }], now);
  const secondsSince = (at: Date | null) => (at === null ? null : Math.max(0, Math.floor((now.getTime() - at.getTime()) / 1000)));
  const features: RiskFeatures = {
    stage: 'link',
    amount_yen: 0,
    charge_yen_max: request.charge_yen_max,
    link_method: request.method,
    link_age_seconds: 0,
    kyc_level: request.kyc_level,
    identity_match_score: request.identity_match_score,
    link_charges_count: 0,
    link_unconfirmed_yen: 0,
    link_first_charge_seconds_ago: 0,
    customer_charges_count: row.customer_charges_count,
    customer_charge_yen_largest: Number(row.customer_charge_yen_largest),
    link_charges_1h: 0,
    customer_charges_24h: 0,
    device_charges_1h: null,
    ip_charges_1h: 0,
    account_links_active: row.account_links_active,
    account_links_7d: row.account_links_7d,
    device_links_24h: row.device_links_24h,
    ip_links_24h: row.ip_links_24h,
    device_accounts_30d: row.device_accounts_30d,
    customer_age_years: customerAgeYears(row.birth_date, japanDate(now)),
    phone_number_age_hours: phoneNumberAgeHours(row.phone_changed_at, now),
    // Known once the link is approved; the link's charges read it.
    sms_link_sim_change_age_hours: null,
    credential_failures_24h: row.credential_failures_24h,
    credential_failure_seconds_ago: secondsSince(row.credential_last_failure_at),
    credential_lock_seconds_ago: secondsSince(row.credential_last_lock_at),
    credential_attack_seconds_ago: secondsSince(row.credential_last_attack_at),
    operator_used_before_link: row.operator_used_before_link,
    wallet_identity_new_at_operator: row.wallet_identity_new_at_operator,
    account_idle_days: Math.max(0, Math.floor((now.getTime() - row.last_money_out_at.getTime()) / DAY_MS)),
    operator_anomaly_level: operator_anomaly!.level,
  };
  return { features, customer_id: row.customer_id, operator_anomaly: operator_anomaly! };
}
