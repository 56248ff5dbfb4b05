import type { Queryable } from '../storage/database.ts';
import { uuidV7Floor } from '../incidents/risk-config-history.ts';

/** The charges chart's window: long enough to see a burst start and stop, short enough to read minute by minute. */
export const CHARGES_CHART_WINDOW_MINUTES = 60;
/** The alerts and rules charts' window: one day, the shift cycle of the fraud desk. */
export const DAY_CHART_WINDOW_HOURS = 24;
/** Rules the top-rules chart names: more bars than this no longer read at a glance. */
export const TOP_RULES_SHOWN = 10;
/** Alert kinds × statuses the alerts chart reads at most: the kinds are a fixed list (src/cases/alert.ts), this is a guard. */
const ALERT_GROUPS_MAX = 200;

/** Charge decisions per minute (the minute's start) and action. */
export interface DecisionsPerMinute {
  minute: Date;
  action: string;
  charges: number;
}

/**
 * Charge-stage risk decisions per minute and action over the last `CHARGES_CHART_WINDOW_MINUTES`. Decisions' ids are
 * UUIDv7 from the clock, so the time window is a range of the primary key; there is no other index on their time.
 * A refused charge has a decision and no charge row, so this counts what was attempted, not only what moved money.
 */
export async function readDecisionsPerMinute(db: Queryable, now: Date): Promise<DecisionsPerMinute[]> {
  const since = new Date(now.getTime() - CHARGES_CHART_WINDOW_MINUTES * 60_000);
  const rows = await db.query<{ minute: Date; action: string; charges: number }>(
    `SELECT date_trunc('minute', decided_at) AS minute, action, count(*)::int AS charges
       FROM risk_decisions WHERE id >= $1::uuid AND decided_at >= $2 AND decided_at <= $3 AND stage = 'charge'
      GROUP BY 1, 2 ORDER BY 1, 2 LIMIT $4`,
    [uuidV7Floor(since), since, now, (CHARGES_CHART_WINDOW_MINUTES + 1) * 4]);
  return rows.map((row) => ({ minute: new Date(row.minute), action: row.action, charges: Number(row.charges) }));
}

/** Alerts raised in the last day, per kind and status. */
export interface AlertsByKind {
  kind: string;
  status: string;
  alerts: number;
}

/** Alerts raised in the last `DAY_CHART_WINDOW_HOURS`, per kind and current status, by the primary key's time range. */
export async function readAlertsByKind(db: Queryable, now: Date): Promise<AlertsByKind[]> {
  const since = new Date(now.getTime() - DAY_CHART_WINDOW_HOURS * 60 * 60_000);
  const rows = await db.query<AlertsByKind>(
    `SELECT kind, status, count(*)::int AS alerts FROM alerts WHERE id >= $1::uuid AND at >= $2 AND at <= $3
      GROUP BY 1, 2 ORDER BY 1, 2 LIMIT $4`, [uuidV7Floor(since), since, now, ALERT_GROUPS_MAX]);
  return rows.map((row) => ({ ...row, alerts: Number(row.alerts) }));
}

/** How often a rule fired in the last day. */
export interface RuleHits {
  rule: string;
  hits: number;
}

/**
 * The rules that fired most in the last `DAY_CHART_WINDOW_HOURS` (typologies left out: they name patterns, not rules),
 * read from decisions that were not a plain allow, through the partial index kept for exactly those.
 */
export async function readTopRules(db: Queryable, now: Date): Promise<RuleHits[]> {
  const since = new Date(now.getTime() - DAY_CHART_WINDOW_HOURS * 60 * 60_000);
  const rows = await db.query<RuleHits>(
    `SELECT reason AS rule, count(*)::int AS hits
       FROM risk_decisions, unnest(reasons) AS reason
      WHERE action <> 'allow' AND decided_at >= $1 AND decided_at <= $2 AND reason NOT LIKE 'typology:%'
      GROUP BY reason ORDER BY hits DESC, reason LIMIT $3`, [since, now, TOP_RULES_SHOWN]);
  return rows.map((row) => ({ ...row, hits: Number(row.hits) }));
}
