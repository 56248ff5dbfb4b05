import type { Queryable } from '../storage/database.ts';
import type { Case } from './case.ts';
import { pinAccountKey } from '../throttle/credential-attempt.ts';

/** Charges (and refused attempts) a case shows: a stolen link is emptied in tens of charges, not thousands. */
export const CASE_CHARGES_SHOWN_MAX = 100;
/** The customer's other links a case lists: a person has a handful; a farmed account shows as "more". */
export const CASE_OTHER_LINKS_SHOWN_MAX = 50;
/** Notices a case's timeline shows: those about the link, and the customer's lock notices around it. */
export const CASE_NOTICES_SHOWN_MAX = 100;
/** PIN attempts on the account a timeline shows: three wrong PINs lock it, so more than this is an attack on its own. */
export const CASE_PIN_ATTEMPTS_SHOWN_MAX = 50;
/** How long before the link the timeline looks for notices and PIN attempts: a lock SMS the day before is the 2020 attack's prelude. */
const NOTICES_BEFORE_LINK_MS = 24 * 60 * 60 * 1000;

/** The disputed link as the bank recorded it at link time. */
export interface CaseLink {
  id: string;
  operator_id: string;
  operator_name: string;
  method: 'legacy_pin' | 'fapi2';
  status: string;
  created_at: Date;
  frozen_at: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  approved_with_factor: string | null;
  kyc_level: string | null;
  kyc_method: string | null;
  kyc_verified_at: string | null;
  identity_match_score: number | null;
  identity_match_reasons: string[] | null;
  /** Where the link request came from (link_origins); null for links made before origins were recorded. */
  source_ip: string | null;
  device_id: string | null;
  device_links_24h: number | null;
  ip_links_24h: number | null;
  device_accounts_30d: number | null;
  /** The link-time risk decision, if one was recorded. */
  link_decision: string | null;
  link_reasons: string[];
}

/** A charge through the link, or an attempt the risk step refused before any charge was written. */
export interface CaseCharge {
  id: string;
  /** The charge row's status, or 'denied' for a refused attempt (a risk decision with no charge). */
  status: string;
  amount_yen: number;
  at: Date;
  operator_name: string;
  link_id: string;
  decision: string | null;
  enforced: boolean | null;
  reasons: string[];
  source_ip: string | null;
  device_id: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
}

/** Another link of the same customer, with the case about it if there is one. */
export interface OtherLink {
  id: string;
  operator_name: string;
  method: string;
  status: string;
  created_at: Date;
  case_id: string | null;
}

/** A notice the bank wrote to the customer (notification_outbox), as the timeline shows it. */
export interface CaseNotice {
  id: string;
  created_at: Date;
  channel: string;
  template: string;
  status: string;
  sent_at: Date | null;
  link_id: string | null;
}

/** A try of the account's PIN through the legacy path (a wrong one before the link is the 2020 attack's signature). */
export interface PinAttempt {
  at: Date;
  outcome: 'failure' | 'success';
  operator_name: string | null;
  source_ip: string;
  device_id: string | null;
}

/** A "this wasn't me" click on the link. */
export interface CaseReport {
  reported_at: Date;
  charge_id: string | null;
  link_status_before: string;
  case_id: string | null;
}

/** What an analyst needs to decide a case, read from what the bank recorded. */
export interface CaseFacts {
  link: CaseLink | null;
  charges: CaseCharge[];
  /** True when more charges exist than were read. */
  charges_more: boolean;
  other_links: OtherLink[];
  other_links_more: boolean;
  notices: CaseNotice[];
  pin_attempts: PinAttempt[];
  reports: CaseReport[];
}

const LINK_QUERY = `
SELECT l.id, l.operator_id, o.display_name AS operator_name, l.method, l.status, l.created_at, l.frozen_at, l.revoked_at, l.revoked_by,
       l.approved_with_factor, l.kyc_attestation #>> '{kyc,level}' AS kyc_level, l.kyc_attestation #>> '{kyc,method}' AS kyc_method,
       l.kyc_attestation #>> '{kyc,verified_at}' AS kyc_verified_at, l.identity_match_score, l.identity_match_reasons,
       lo.source_ip, lo.device_id, lo.device_links_24h, lo.ip_links_24h, lo.device_accounts_30d, lo.customer_id,
       a.branch_code, a.account_number
  FROM links l JOIN operators o ON o.id = l.operator_id JOIN bank_accounts a ON a.id = l.account_id LEFT JOIN link_origins lo ON lo.link_id = l.id
 WHERE l.id = $1`;

// Charges through the link by its (link_id, id) index, newest first; each with its decision by the unique charge_id.
const LINK_CHARGES_QUERY = `
SELECT c.id, c.status, c.amount_yen, c.created_at AS at, o.display_name AS operator_name, c.link_id,
       coalesce(rd.action, c.risk_decision) AS decision, rd.enforced, coalesce(rd.reasons, c.risk_reasons) AS reasons,
       rd.source_ip, rd.device_id, c.resolved_at,
       CASE WHEN c.resolved_by LIKE 'staff:%' THEN coalesce((SELECT s.display_name FROM staff_users s WHERE s.id::text = substr(c.resolved_by, 7)), c.resolved_by)
            ELSE c.resolved_by END AS resolved_by
  FROM charges c JOIN operators o ON o.id = c.operator_id LEFT JOIN risk_decisions rd ON rd.charge_id = c.id
 WHERE c.link_id = $1 OR c.id = ANY($2::uuid[])
 ORDER BY c.id DESC LIMIT $3`;

// Refused attempts leave a decision and no charge. risk_decisions has no index by link (it costs every charge), so this
// goes through the customer's index and keeps the link's charge-stage decisions whose charge was never written.
const DENIED_QUERY = `
SELECT coalesce(rd.charge_id, rd.id) AS id, 'denied' AS status, rd.amount_yen, rd.decided_at AS at, o.display_name AS operator_name, rd.link_id,
       rd.action AS decision, rd.enforced, rd.reasons, rd.source_ip, rd.device_id, NULL::timestamptz AS resolved_at, NULL AS resolved_by
  FROM risk_decisions rd JOIN operators o ON o.id = rd.operator_id
 WHERE rd.customer_id = $1 AND rd.decided_at >= $2 AND rd.stage = 'charge' AND rd.link_id = $3 AND rd.action = 'deny' AND rd.enforced
   AND NOT EXISTS (SELECT 1 FROM charges c WHERE c.id = rd.charge_id)
 ORDER BY rd.decided_at DESC LIMIT $4`;

const LINK_DECISION_QUERY = `
SELECT action, reasons FROM risk_decisions
 WHERE customer_id = $1 AND decided_at >= $2 AND decided_at <= $3 AND stage = 'link' AND link_id = $4
 ORDER BY decided_at DESC LIMIT 1`;

const OTHER_LINKS_QUERY = `
SELECT l.id, o.display_name AS operator_name, l.method, l.status, l.created_at,
       (SELECT c.id FROM cases c WHERE c.link_id = l.id ORDER BY c.opened_at DESC LIMIT 1) AS case_id
  FROM bank_accounts a JOIN links l ON l.account_id = a.id JOIN operators o ON o.id = l.operator_id
 WHERE a.customer_id = $1 AND l.id IS DISTINCT FROM $2::uuid
 ORDER BY l.created_at DESC LIMIT $3`;

// The customer's notices by (customer_id, created_at), from a day before the link: those naming this link, and those
// naming no link (a lock notice), which belong to the story of how it was made.
const NOTICES_QUERY = `
SELECT id, created_at, channel, template, status, sent_at, data->>'link_id' AS link_id
  FROM notification_outbox
 WHERE customer_id = $1 AND created_at >= $2 AND campaign_id IS NULL AND (data->>'link_id' IS NULL OR data->>'link_id' = $3)
 ORDER BY created_at, id LIMIT $4`;

// By (credential, account_key, at): the PIN tries on the linked account from a day before the link on.
const PIN_ATTEMPTS_QUERY = `
SELECT ca.at, ca.outcome, o.display_name AS operator_name, ca.source_ip, ca.device_id
  FROM credential_attempts ca LEFT JOIN operators o ON o.id = ca.operator_id
 WHERE ca.credential = 'legacy_pin' AND ca.account_key = $1 AND ca.at >= $2
 ORDER BY ca.at, ca.id LIMIT $3`;

const REPORTS_QUERY = `SELECT reported_at, charge_id, link_status_before, case_id FROM not_me_reports WHERE link_id = $1 ORDER BY reported_at LIMIT 20`;

/** The link a case is about: its own, or the one its alerts or charges name. */
async function caseLinkId(db: Queryable, found: Case): Promise<string | null> {
  if (found.link_id) return found.link_id;
  const [named] = await db.query<{ link_id: string }>(
    `SELECT link_id FROM alerts WHERE case_id = $1 AND link_id IS NOT NULL
     UNION ALL SELECT link_id FROM charges WHERE id = ANY($2::uuid[]) LIMIT 1`, [found.id, found.charge_ids]);
  return named?.link_id ?? null;
}

/**
 * Reads what an analyst needs to decide a case: the link (method, KYC, identity match, where it was made from), every
 * charge through it including refused and held ones, the customer's other links, and the notices and reports for a
 * timeline. Every query is an indexed lookup with a limit.
 */
export async function readCaseFacts(db: Queryable, found: Case): Promise<CaseFacts> {
  const link_id = await caseLinkId(db, found);
  const [linkRow] = link_id ? await db.query<CaseLink & { customer_id: string | null; branch_code: string; account_number: string }>(LINK_QUERY, [link_id]) : [];
  const customer_id = found.customer_id ?? linkRow?.customer_id ?? null;
  const since = linkRow?.created_at ?? found.opened_at;
  const [charges, denied, decision, others, notices, pin_attempts, reports] = await Promise.all([
    db.query<CaseCharge>(LINK_CHARGES_QUERY, [link_id, found.charge_ids, CASE_CHARGES_SHOWN_MAX + 1]),
    customer_id && link_id ? db.query<CaseCharge>(DENIED_QUERY, [customer_id, since, link_id, CASE_CHARGES_SHOWN_MAX]) : [],
    customer_id && linkRow
      ? db.query<{ action: string; reasons: string[] }>(LINK_DECISION_QUERY, [customer_id, new Date(since.getTime() - 60_000), new Date(since.getTime() + 60_000), link_id])
      : [],
    customer_id ? db.query<OtherLink>(OTHER_LINKS_QUERY, [customer_id, link_id, CASE_OTHER_LINKS_SHOWN_MAX + 1]) : [],
    customer_id ? db.query<CaseNotice>(NOTICES_QUERY, [customer_id, new Date(since.getTime() - NOTICES_BEFORE_LINK_MS), link_id ?? '', CASE_NOTICES_SHOWN_MAX]) : [],
    linkRow
      ? db.query<PinAttempt>(PIN_ATTEMPTS_QUERY, [pinAccountKey(linkRow.branch_code, linkRow.account_number), new Date(since.getTime() - NOTICES_BEFORE_LINK_MS), CASE_PIN_ATTEMPTS_SHOWN_MAX])
      : [],
    link_id ? db.query<CaseReport>(REPORTS_QUERY, [link_id]) : [],
  ]);
  const all = [...charges.slice(0, CASE_CHARGES_SHOWN_MAX), ...denied]
    .map((charge) => ({ ...charge, amount_yen: Number(charge.amount_yen) }))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  // The account number stays here: the page shows no full account number, and the key only finds the PIN tries.
  const link: CaseLink | null = linkRow ? (({ customer_id: _customer, branch_code: _branch, account_number: _number, ...rest }) => ({
    ...rest, link_decision: decision[0]?.action ?? null, link_reasons: decision[0]?.reasons ?? [] }))(linkRow) : null;
  return {
    link, charges: all, charges_more: charges.length > CASE_CHARGES_SHOWN_MAX,
    other_links: others.slice(0, CASE_OTHER_LINKS_SHOWN_MAX), other_links_more: others.length > CASE_OTHER_LINKS_SHOWN_MAX,
    notices, pin_attempts, reports,
  };
}
