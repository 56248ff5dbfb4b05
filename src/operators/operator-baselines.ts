import type { Queryable } from '../storage/database.ts';
import { OPERATOR_ACTIVITY_KINDS, OPERATOR_BUCKET_MS, OPERATOR_WINDOW_LONG_MS, OPERATOR_WINDOW_SHORT_MS, type OperatorActivityKind } from './operator-activity.ts';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** History a baseline reads: four weeks hold every weekday and the month's paydays. */
export const BASELINE_HISTORY_MS = 28 * DAY_MS;
/** The most recent stretch left out of the baseline, so that a burst never raises its own bar before it is contained. */
export const BASELINE_RECENT_EXCLUDED_MS = HOUR_MS;
/** How stale a stored baseline may be before the next reader recomputes it: a busiest hour moves slowly. */
export const BASELINE_REFRESH_MS = 10 * 60 * 1000;

/** An operator's busiest short window and busiest hour for one kind, over its history up to an hour ago. */
export interface OperatorPeak {
  peak_10m: number;
  peak_1h: number;
}

/** One operator's peaks for every kind. */
export type OperatorBaseline = Record<OperatorActivityKind, OperatorPeak>;

const zero = (): OperatorBaseline => ({ charge: { peak_10m: 0, peak_1h: 0 }, link: { peak_10m: 0, peak_1h: 0 }, refresh: { peak_10m: 0, peak_1h: 0 } });

/**
 * Each operator's baseline: the busiest 10 minutes and the busiest hour (sliding, by bucket) per kind over the last
 * 28 days, the last hour left out. The peak, not a mean and deviation: an operator's traffic is mostly empty minutes
 * and a daily evening rush, so a mean is near zero and any rush looks extreme, while the busiest hour it has
 * already had is the level it is known to reach, and says so to staff in words ("40× its busiest hour"). Stored
 * baselines are reused for BASELINE_REFRESH_MS and recomputed, set-based for all stale operators at once, after.
 */
export async function loadOperatorBaselines(tx: Queryable, operator_ids: readonly string[], now: Date): Promise<Map<string, OperatorBaseline>> {
  const ids = [...new Set(operator_ids)].sort();
  const result = new Map<string, OperatorBaseline>(ids.map((id) => [id, zero()]));
  if (ids.length === 0) return result;
  const stored = await tx.query<{ operator_id: string; kind: OperatorActivityKind; peak_10m: number; peak_1h: number; computed_at: Date }>(
    `SELECT operator_id, kind, peak_10m, peak_1h, computed_at FROM operator_baselines WHERE operator_id = ANY($1::uuid[])`, [ids]);
  const fresh = new Set<string>();
  for (const row of stored) {
    result.get(row.operator_id)![row.kind] = { peak_10m: row.peak_10m, peak_1h: row.peak_1h };
    if (now.getTime() - row.computed_at.getTime() < BASELINE_REFRESH_MS && row.computed_at <= now) fresh.add(`${row.operator_id}:${row.kind}`);
  }
  const stale = ids.filter((id) => OPERATOR_ACTIVITY_KINDS.some((kind) => !fresh.has(`${id}:${kind}`)));
  if (stale.length === 0) return result;
  for (const [id, baseline] of await computeOperatorBaselines(tx, stale, now)) result.set(id, baseline);
  return result;
}

/** Recomputes and stores the baselines of these operators (every kind) from their activity buckets. */
export async function computeOperatorBaselines(tx: Queryable, operator_ids: readonly string[], now: Date): Promise<Map<string, OperatorBaseline>> {
  const ids = [...new Set(operator_ids)].sort();
  const result = new Map<string, OperatorBaseline>(ids.map((id) => [id, zero()]));
  if (ids.length === 0) return result;
  const until = new Date(now.getTime() - BASELINE_RECENT_EXCLUDED_MS);
  // A sliding window of n buckets is the bucket and the n − 1 before it: RANGE over bucket_start, in milliseconds.
  const rows = await tx.query<{ operator_id: string; kind: OperatorActivityKind; peak_10m: number; peak_1h: number }>(
    `WITH buckets AS (
       SELECT operator_id, kind, bucket_start, sum(events_count)::int AS n
         FROM operator_activity
        WHERE operator_id = ANY($1::uuid[]) AND bucket_start >= $2 AND bucket_start < $3
        GROUP BY operator_id, kind, bucket_start
     ), windows AS (
       SELECT operator_id, kind,
              sum(n) OVER (PARTITION BY operator_id, kind ORDER BY bucket_start RANGE BETWEEN $4::interval PRECEDING AND CURRENT ROW) AS n_short,
              sum(n) OVER (PARTITION BY operator_id, kind ORDER BY bucket_start RANGE BETWEEN $5::interval PRECEDING AND CURRENT ROW) AS n_long
         FROM buckets
     )
     SELECT operator_id, kind, max(n_short)::int AS peak_10m, max(n_long)::int AS peak_1h FROM windows GROUP BY operator_id, kind`,
    [ids, new Date(until.getTime() - BASELINE_HISTORY_MS), until,
      `${(OPERATOR_WINDOW_SHORT_MS - OPERATOR_BUCKET_MS) / 1000} seconds`, `${(OPERATOR_WINDOW_LONG_MS - OPERATOR_BUCKET_MS) / 1000} seconds`],
  );
  for (const row of rows) result.get(row.operator_id)![row.kind] = { peak_10m: row.peak_10m, peak_1h: row.peak_1h };
  const flat = ids.flatMap((id) => OPERATOR_ACTIVITY_KINDS.map((kind) => ({ id, kind, ...result.get(id)![kind] })));
  // Upserted in key order, so two processes refreshing the same operators never deadlock.
  await tx.query(
    `INSERT INTO operator_baselines (operator_id, kind, peak_10m, peak_1h, computed_at)
     SELECT *, $5::timestamptz FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[])
     ON CONFLICT (operator_id, kind) DO UPDATE SET peak_10m = EXCLUDED.peak_10m, peak_1h = EXCLUDED.peak_1h, computed_at = EXCLUDED.computed_at`,
    [flat.map((r) => r.id), flat.map((r) => r.kind), flat.map((r) => r.peak_10m), flat.map((r) => r.peak_1h), now],
  );
  return result;
}
