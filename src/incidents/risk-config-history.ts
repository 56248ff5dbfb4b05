import type { Queryable } from '../storage/database.ts';

/** One risk-rule configuration as the bank used it: from its first decision to its last. */
export interface RiskConfigPeriod {
  config_id: string;
  first_decided_at: Date;
  last_decided_at: Date;
  decisions: number;
}

/**
 * The smallest UUIDv7 of a millisecond: risk decisions' ids are UUIDv7 from the injected clock, so a range of the
 * primary key is a range of time, and a report reads only the decisions since its incident began.
 */
export function uuidV7Floor(at: Date): string {
  const hex = Math.max(0, at.getTime()).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/**
 * The risk-rule configurations in force since `since`, oldest first: when each config id decided its first and last
 * charge or link. A change of rules shows as a new config id; this is read from the decisions themselves, which
 * record the config id every time, so it is never kept twice.
 */
export async function readRiskConfigHistory(db: Queryable, since: Date): Promise<RiskConfigPeriod[]> {
  return db.query<RiskConfigPeriod>(
    `SELECT config_id, min(decided_at) AS first_decided_at, max(decided_at) AS last_decided_at, count(*)::int AS decisions
       FROM risk_decisions WHERE id >= $1::uuid GROUP BY config_id ORDER BY min(decided_at), config_id`, [uuidV7Floor(since)]);
}
