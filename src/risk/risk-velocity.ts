import { randomInt } from 'node:crypto';
import type { Queryable } from '../storage/database.ts';

/** The dimensions charges are counted along. */
export type VelocityDimension = 'link' | 'customer' | 'device' | 'ip';

const HOUR_MS = 60 * 60 * 1000;

/** Window per dimension: an hour catches a burst; a customer's day catches many links drained in turn. */
export const VELOCITY_WINDOW_MS: Record<VelocityDimension, number> = {
  link: HOUR_MS,
  customer: 24 * HOUR_MS,
  device: HOUR_MS,
  ip: HOUR_MS,
};

/** Buckets per window: 12 keeps a window's sum to 12 rows and its edge within a twelfth of the window. */
export const VELOCITY_BUCKETS_PER_WINDOW = 12;

/**
 * Rows each counter's bucket is spread over. A batch adds to one shard, picked at random, so batches of several bank
 * processes rarely wait on one another's row for a counter they share (an operator's server address, counted for
 * every charge it sends); with 16, two batches in flight meet on a shard one time in 16. A window sums at most
 * 12 × 16 rows of a key.
 */
export const VELOCITY_SHARDS = 16;

/** The start of the bucket an instant falls in, for a dimension. */
export function bucketStart(dimension: VelocityDimension, at: Date): Date {
  const bucket_ms = VELOCITY_WINDOW_MS[dimension] / VELOCITY_BUCKETS_PER_WINDOW;
  return new Date(Math.floor(at.getTime() / bucket_ms) * bucket_ms);
}

/** One counter: a dimension and its key (a link id, customer id, device id or IP). */
export interface VelocityKey {
  dimension: VelocityDimension;
  key: string;
}

const keyOf = ({ dimension, key }: VelocityKey) => `${dimension}\u0000${key}`;

/** Charges counted in each key's window up to `now` (committed batches only), in one query. */
export async function loadVelocity(tx: Queryable, keys: readonly VelocityKey[], now: Date): Promise<Map<string, number>> {
  const unique = [...new Map(keys.map((k) => [keyOf(k), k])).values()];
  const counts = new Map<string, number>();
  if (unique.length === 0) return counts;
  const rows = await tx.query<{ dimension: VelocityDimension; key: string; n: number }>(
    `SELECT k.dimension, k.key, coalesce(sum(v.charges_count), 0)::int AS n
       FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS k (dimension, key, since)
       LEFT JOIN risk_velocity v ON v.dimension = k.dimension AND v.key = k.key AND v.bucket_start > k.since
      GROUP BY k.dimension, k.key`,
    [unique.map((k) => k.dimension), unique.map((k) => k.key), unique.map((k) => new Date(now.getTime() - VELOCITY_WINDOW_MS[k.dimension]))],
  );
  for (const row of rows) counts.set(keyOf(row), row.n);
  return counts;
}

/** The count for one key from loadVelocity's answer. */
export function velocityCount(counts: Map<string, number>, key: VelocityKey): number {
  return counts.get(keyOf(key)) ?? 0;
}

/**
 * Adds one charge per key to the current buckets, in one upsert, all in one shard (`shard`, at random unless given).
 * Rows are written in key order, so batches in several processes that do meet on a shard lock the rows they share in
 * the same order and never deadlock.
 */
export async function addVelocity(tx: Queryable, keys: readonly VelocityKey[], now: Date, shard = randomInt(VELOCITY_SHARDS)): Promise<void> {
  const totals = new Map<string, { dimension: VelocityDimension; key: string; bucket: Date; n: number }>();
  for (const k of keys) {
    const bucket = bucketStart(k.dimension, now);
    const id = `${keyOf(k)}\u0000${bucket.toISOString()}`;
    const entry = totals.get(id) ?? { ...k, bucket, n: 0 };
    entry.n += 1;
    totals.set(id, entry);
  }
  const rows = [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO risk_velocity (dimension, key, bucket_start, charges_count, shard)
     SELECT *, $5::smallint FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[])
     ON CONFLICT (dimension, key, bucket_start, shard) DO UPDATE SET charges_count = risk_velocity.charges_count + EXCLUDED.charges_count`,
    [rows.map((r) => r.dimension), rows.map((r) => r.key), rows.map((r) => r.bucket), rows.map((r) => r.n), shard],
  );
}
