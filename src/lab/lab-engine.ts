import type { ManualClock } from '../shared/clock.ts';
import { assert } from '../shared/assert.ts';

/**
 * Moves run side by side at most this many at a time: enough to fill the bank's charge batches, few enough that a
 * step's requests stay within the database pool and memory.
 */
export const MOVES_PER_STEP_MAX = 512;
/** Queued moves looked at when filling a step, so an actor with thousands of moves queued cannot make filling quadratic. */
const MOVES_SCANNED_PER_STEP_MAX = 4 * MOVES_PER_STEP_MAX;

/** A planned move. */
interface Planned {
  at: number;
  /** Ties in time are broken by actor and by the actor's own count, never by when the move was planned: a replay plans in the same order. */
  actor_key: string;
  actor_seq: number;
  exact: boolean;
  move: () => Promise<void>;
}

function before(a: Planned, b: Planned): boolean {
  if (a.at !== b.at) return a.at < b.at;
  if (a.actor_key !== b.actor_key) return a.actor_key < b.actor_key;
  return a.actor_seq < b.actor_seq;
}

/** A binary heap of planned moves, earliest first. */
function createQueue() {
  const heap: Planned[] = [];
  const swap = (i: number, j: number) => {
    [heap[i], heap[j]] = [heap[j]!, heap[i]!];
  };
  return {
    get size() {
      return heap.length;
    },
    peek: (): Planned | undefined => heap[0],
    push(item: Planned) {
      heap.push(item);
      for (let i = heap.length - 1; i > 0;) {
        const parent = (i - 1) >> 1;
        if (!before(heap[i]!, heap[parent]!)) break;
        swap(i, parent);
        i = parent;
      }
    },
    pop(): Planned | undefined {
      const top = heap[0];
      const last = heap.pop();
      if (heap.length > 0 && last) {
        heap[0] = last;
        for (let i = 0; ;) {
          const left = 2 * i + 1;
          const right = left + 1;
          let least = i;
          if (left < heap.length && before(heap[left]!, heap[least]!)) least = left;
          if (right < heap.length && before(heap[right]!, heap[least]!)) least = right;
          if (least === i) break;
          swap(i, least);
          i = least;
        }
      }
      return top;
    },
  };
}

/** What the engine needs: the bank's clock, the resolution, the end, and what to run after each step. */
export interface LabEngineOptions {
  clock: ManualClock;
  /** Moves this close in time run side by side, at the first one's time (the scenario's resolution). */
  resolution_ms: number;
  /** Moves at or after this are not run. */
  end: Date;
  /** After every step: the bank's background work at the step's time (expiries, notices) and handing messages to readers. */
  afterStep(): Promise<void>;
  /** How far the run has come, in simulated time. */
  progress?(now: Date): void;
}

/**
 * The lab's clock and plan. Moves run in time order. Each step takes the earliest move, sets the bank's clock to
 * it, and runs beside it every other actor's next move within the resolution (so a crowd of top-ups fills one
 * charge batch); one actor's moves never run side by side, and an `exact` move never runs before its time. After
 * each step the bank's background jobs run at the step's time. The clock only moves forward.
 */
export function createLabEngine(options: LabEngineOptions) {
  const { clock, resolution_ms, end } = options;
  assert(resolution_ms > 0, 'the resolution is a positive number of milliseconds');
  const queue = createQueue();
  const seqs = new Map<string, number>();
  let steps = 0;
  let moves = 0;

  return {
    /** Plans a move. */
    at(actor_key: string, when: Date, move: () => Promise<void>, { exact = false }: { exact?: boolean } = {}): void {
      const seq = (seqs.get(actor_key) ?? 0) + 1;
      seqs.set(actor_key, seq);
      queue.push({ at: Math.max(when.getTime(), clock.now().getTime()), actor_key, actor_seq: seq, exact, move });
    },

    /** Runs every planned move before the end; returns how many steps and moves it took. */
    async run(): Promise<{ steps: number; moves: number }> {
      for (;;) {
        const first = queue.peek();
        if (!first || first.at >= end.getTime()) break;
        queue.pop();
        if (first.at > clock.now().getTime()) clock.set(new Date(first.at));
        const now = clock.now().getTime();
        const step = [first];
        const actors = new Set([first.actor_key]);
        const later: Planned[] = [];
        for (let scanned = 0; step.length < MOVES_PER_STEP_MAX && scanned < MOVES_SCANNED_PER_STEP_MAX; scanned++) {
          const next = queue.peek();
          if (!next || next.at >= Math.min(now + resolution_ms, end.getTime())) break;
          queue.pop();
          if (actors.has(next.actor_key) || (next.exact && next.at > now)) later.push(next);
          else {
            step.push(next);
            actors.add(next.actor_key);
          }
        }
        for (const planned of later) queue.push(planned);
        await Promise.all(step.map((planned) => planned.move()));
        steps++;
        moves += step.length;
        await options.afterStep();
        options.progress?.(clock.now());
      }
      return { steps, moves };
    },
  };
}

/** The engine createLabEngine builds. */
export type LabEngine = ReturnType<typeof createLabEngine>;
