import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from './clock.ts';

/** Time-ordered ids (UUIDv7), stamped from the injected clock so ids sort with simulated time. */
export interface Ids {
  next(): string;
}

/**
 * Creates an id source driven by `clock`. Within one millisecond (or a frozen test clock) a counter keeps
 * ids strictly increasing, as RFC 9562's method 1 does, so "newest first" by id is creation order.
 */
export function createIds(clock: Clock): Ids {
  let msecs = -Infinity;
  let seq = 0;
  return {
    next() {
      const random = randomBytes(16);
      const now = clock.now().getTime();
      if (now > msecs) {
        msecs = now;
        // Start each millisecond at a random point in the lower half so the counter has room to climb.
        seq = random.readUInt32BE(6) & 0x3fffffff;
      } else {
        seq = (seq + 1) | 0;
        if (seq === 0) msecs += 1;
      }
      return uuidv7({ msecs, seq, random });
    },
  };
}
