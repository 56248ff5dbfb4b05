/**
 * The batching writer: concurrent callers queue items, one writer at a time commits up to `items_max`
 * of them in one transaction, and each caller is answered only after that COMMIT.
 * While a batch commits, new items queue for the next one: group commit without timers, so a lone caller
 * waits for one transaction and a crowd shares each fsync.
 *
 * Callers share a transaction but never each other's failures: when a batch throws, its two halves are retried
 * in their own transactions, down to the item that fails alone, which alone gets the error (bisection: one bad
 * item among n costs about 2·log2(n) extra transactions, and everyone else commits once). The exception is a
 * database that cannot be reached, where retrying helps nobody: the whole batch gets that error at once.
 */
import type { Logger } from '../shared/logger.ts';
import { assert } from '../shared/assert.ts';
import type { Database, Queryable } from '../storage/database.ts';
import { isConnectionFailure } from '../storage/connection-failure.ts';

/**
 * Transfers per ledger batch (TigerBeetle's request size). One transaction of this many amortises the fsync
 * and the round trips over thousands of transfers, yet keeps a batch's arrays to a few hundred kilobytes per
 * parameter and its account locks short. Measured with src/bench/ledger-bench.ts (PostgreSQL, 2 cores):
 * CPU per transfer fell from 36 µs at 2,048 to 22–24 µs at 4,096 and 8,190 and stayed at 21–22 µs at
 * 16,380 and 32,760, so larger batches buy nothing but longer lock holds and memory.
 */
export const BATCH_TRANSFERS_MAX = 8190;

export interface BatcherOptions<Item, Result> {
  db: Database;
  /** The most items one transaction takes. */
  items_max: number;
  /**
   * Handles one batch inside its transaction; returns one result per item, in order. Throwing rolls back the batch,
   * whose items are then retried in smaller batches: so `process` may see an item more than once, and must start
   * from the item as submitted each time (keep per-attempt state out of the item).
   */
  process: (tx: Queryable, items: Item[]) => Promise<Result[]>;
  log?: Logger;
}

export interface Batcher<Item, Result> {
  /** Queues one item; resolves with its result after the batch holding it commits. */
  submit(item: Item): Promise<Result>;
  /** Queues several items in order; resolves after every batch holding them commits. A group larger than `items_max` spans batches. */
  submitMany(items: readonly Item[]): Promise<Result[]>;
  /** Refuses new items and resolves once everything queued has been answered. */
  close(): Promise<void>;
}

interface Entry<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

/** Creates a batching writer over `db` that runs `process` once per batch. */
export function createBatcher<Item, Result>(options: BatcherOptions<Item, Result>): Batcher<Item, Result> {
  const { db, items_max, process, log } = options;
  assert(Number.isSafeInteger(items_max) && items_max >= 1, 'batcher items_max must be a positive integer');
  let queue: Entry<Item, Result>[] = [];
  let writing = false;
  let scheduled = false;
  let closed = false;
  let drained: (() => void) | undefined;

  /** Commits `items` in one transaction, or throws what made it roll back. */
  function commit(items: Item[]): Promise<Result[]> {
    return db.transaction(async (tx) => {
      const answered = await process(tx, items);
      // Checked inside the transaction so a short answer rolls back instead of leaving callers hanging.
      assert(answered.length === items.length, `batch process answered ${answered.length} of ${items.length} items`);
      return answered;
    });
  }

  /**
   * Writes one batch. If it fails, splits it in halves and writes each in its own transaction, until every
   * item has committed or failed alone. Halves go in submission order, so callers see the order they queued in.
   */
  async function writeBatch(batch: Entry<Item, Result>[]): Promise<void> {
    const pending: Entry<Item, Result>[][] = [batch];
    for (let part = pending.shift(); part; part = pending.shift()) {
      let results: Result[];
      try {
        results = await commit(part.map((entry) => entry.item));
      } catch (error) {
        if (isConnectionFailure(error)) {
          log?.warn({ err: error, items: batch.length }, 'batch failed: the database is unavailable');
          for (const entry of [part, ...pending].flat()) entry.reject(error);
          return;
        }
        if (part.length === 1) {
          log?.error({ err: error }, 'a batch item failed in a transaction of its own; only its caller gets the error');
          part[0]!.reject(error);
          continue;
        }
        log?.warn({ err: error, items: part.length }, 'batch rolled back; retrying each half in its own transaction');
        const middle = Math.ceil(part.length / 2);
        pending.unshift(part.slice(0, middle), part.slice(middle));
        continue;
      }
      part.forEach((entry, index) => entry.resolve(results[index] as Result));
    }
  }

  async function drain(): Promise<void> {
    scheduled = false;
    if (writing) return;
    writing = true;
    try {
      while (queue.length > 0) {
        const batch = queue.length <= items_max ? queue : queue.slice(0, items_max);
        queue = queue.length <= items_max ? [] : queue.slice(items_max);
        await writeBatch(batch);
      }
    } finally {
      writing = false;
      if (queue.length === 0) drained?.();
    }
  }

  function schedule(): void {
    if (scheduled || writing) return;
    scheduled = true;
    // A microtask, not a timer: callers submitting in the same tick join the first batch, and nothing waits on a clock.
    queueMicrotask(() => void drain());
  }

  function enqueue(items: readonly Item[]): Promise<Result>[] {
    if (closed) return items.map(() => Promise.reject(new Error('the batcher is closed')));
    const promises = items.map(
      (item) => new Promise<Result>((resolve, reject) => queue.push({ item, resolve, reject })),
    );
    schedule();
    return promises;
  }

  return {
    submit: (item) => enqueue([item])[0] as Promise<Result>,
    submitMany: (items) => Promise.all(enqueue(items)),
    close() {
      closed = true;
      if (!writing && !scheduled && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const previous = drained;
        drained = () => {
          previous?.();
          resolve();
        };
      });
    },
  };
}
