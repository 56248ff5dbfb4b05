import { randomInt } from 'node:crypto';
import type { Queryable } from '../storage/database.ts';
import { VELOCITY_SHARDS } from '../risk/risk-velocity.ts';

/** What is counted per operator: charges decided, links made, refresh-token grants. */
export type OperatorActivityKind = 'charge' | 'link' | 'refresh';

export const OPERATOR_ACTIVITY_KINDS: readonly OperatorActivityKind[] = ['charge', 'link', 'refresh'];

const MINUTE_MS = 60_000;

/** Bucket width: 2 minutes puts the short window's edge within a fifth of it, and 28 days in 20,160 buckets. */
export const OPERATOR_BUCKET_MS = 2 * MINUTE_MS;
/** The short window: long enough to see a scripted burst, short enough to contain it within 5 minutes. */
export const OPERATOR_WINDOW_SHORT_MS = 10 * MINUTE_MS;
/** The long window: an operator's busiest hour is what its staff and ours know it by. */
export const OPERATOR_WINDOW_LONG_MS = 60 * MINUTE_MS;

/** Events of one kind for one operator in the short and the long window up to now. */
export interface OperatorWindowCounts {
  count_10m: number;
  count_1h: number;
}

/** One event to count: its operator and kind. */
export interface OperatorEvent {
  operator_id: string;
  kind: OperatorActivityKind;
}

/** The start of the bucket an instant falls in. */
export function operatorBucketStart(at: Date): Date {
  return new Date(Math.floor(at.getTime() / OPERATOR_BUCKET_MS) * OPERATOR_BUCKET_MS);
}

const keyOf = (operator_id: string, kind: OperatorActivityKind) => `${operator_id}\u0000${kind}`;

/**
 * Adds events to the current buckets in one upsert, in one shard (random unless given, as the velocity counters do:
 * every charge of a busy operator adds to its counter). Rows go in key order so batches that meet never deadlock.
 */
export async function addOperatorActivity(tx: Queryable, events: readonly OperatorEvent[], now: Date, shard = randomInt(VELOCITY_SHARDS)): Promise<void> {
  const totals = new Map<string, { operator_id: string; kind: OperatorActivityKind; n: number }>();
  for (const event of events) {
    const key = keyOf(event.operator_id, event.kind);
    const entry = totals.get(key) ?? { ...event, n: 0 };
    entry.n += 1;
    totals.set(key, entry);
  }
  const rows = [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO operator_activity (operator_id, kind, bucket_start, shard, events_count)
     SELECT operator_id, kind, $3::timestamptz, $4::smallint, n FROM unnest($1::uuid[], $2::text[], $5::int[]) AS e (operator_id, kind, n)
     ON CONFLICT (operator_id, kind, bucket_start, shard) DO UPDATE SET events_count = operator_activity.events_count + EXCLUDED.events_count`,
    [rows.map((r) => r.operator_id), rows.map((r) => r.kind), operatorBucketStart(now), shard, rows.map((r) => r.n)],
  );
}

/** Each operator's counts per kind in the short and long windows up to now (committed events), in one query. */
export async function loadOperatorActivity(tx: Queryable, operator_ids: readonly string[], now: Date): Promise<Map<string, Record<OperatorActivityKind, OperatorWindowCounts>>> {
  const ids = [...new Set(operator_ids)];
  const result = new Map<string, Record<OperatorActivityKind, OperatorWindowCounts>>();
  for (const id of ids) result.set(id, { charge: { count_10m: 0, count_1h: 0 }, link: { count_10m: 0, count_1h: 0 }, refresh: { count_10m: 0, count_1h: 0 } });
  if (ids.length === 0) return result;
  // A bucket counts in a window when it starts inside it, as the velocity windows do: the edge is within one bucket.
  const rows = await tx.query<{ operator_id: string; kind: OperatorActivityKind; count_10m: number; count_1h: number }>(
    `SELECT operator_id, kind,
            coalesce(sum(events_count) FILTER (WHERE bucket_start > $2), 0)::int AS count_10m,
            coalesce(sum(events_count), 0)::int AS count_1h
       FROM operator_activity
      WHERE operator_id = ANY($1::uuid[]) AND bucket_start > $3
      GROUP BY operator_id, kind`,
    [ids, new Date(now.getTime() - OPERATOR_WINDOW_SHORT_MS), new Date(now.getTime() - OPERATOR_WINDOW_LONG_MS)],
  );
  for (const row of rows) result.get(row.operator_id)![row.kind] = { count_10m: row.count_10m, count_1h: row.count_1h };
  return result;
}

/** Notes each (operator, address) pair not seen before; a known pair costs a conflict check and takes no row lock. */
export async function recordOperatorSources(tx: Queryable, sources: readonly { operator_id: string; source_ip: string }[], now: Date): Promise<void> {
  const unique = [...new Map(sources.map((s) => [`${s.operator_id}\u0000${s.source_ip}`, s])).values()]
    .sort((a, b) => (a.operator_id + a.source_ip < b.operator_id + b.source_ip ? -1 : 1));
  if (unique.length === 0) return;
  await tx.query(
    `INSERT INTO operator_sources (operator_id, source_ip, first_seen_at)
     SELECT operator_id, source_ip, $3 FROM unnest($1::uuid[], $2::text[]) AS s (operator_id, source_ip)
     ON CONFLICT (operator_id, source_ip) DO NOTHING`,
    [unique.map((s) => s.operator_id), unique.map((s) => s.source_ip), now],
  );
}
