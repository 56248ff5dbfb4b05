import { v7 as uuidv7 } from 'uuid';
import type { Clock } from './clock.ts';

/** Time-ordered ids (UUIDv7), stamped from the injected clock so ids sort with simulated time. */
export interface Ids {
  next(): string;
}

/** Creates an id source driven by `clock`. */
export function createIds(clock: Clock): Ids {
  return { next: () => uuidv7({ msecs: clock.now().getTime() }) };
}
