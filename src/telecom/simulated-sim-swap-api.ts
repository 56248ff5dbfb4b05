import type { Clock } from '../shared/clock.ts';
import type { SimSwapApi } from './sim-swap-api.ts';

const HOUR_MS = 60 * 60 * 1000;
/** CAMARA's bounds for `maxAge` (hours): 1 to 2,400 (100 days). The simulator refuses what a carrier would. */
export const SIM_SWAP_MAX_AGE_HOURS_MIN = 1;
export const SIM_SWAP_MAX_AGE_HOURS_MAX = 2_400;

/** How the simulated carrier answers: normally, never (a hung API), or with an error (an outage). */
export type SimulatedSimSwapBehaviour = 'answer' | 'hang' | 'fail';

/** The simulator's controls, for the lab's SIM-swap attacker and for tests. */
export interface SimulatedSimSwapApi extends SimSwapApi {
  /** Records that the SIM for `phone_number` was swapped at `at` (the clock's now when not given). */
  swapSim(phone_number: string, at?: Date): void;
  /** Makes every later call answer, hang until its signal aborts, or fail. */
  behave(behaviour: SimulatedSimSwapBehaviour): void;
  /** How many calls it has had: a test checks the bank asked, or did not. */
  calls(): number;
}

/**
 * A SIMULATED carrier SIM Swap API: it knows only the swaps it was told of (swapSim) and answers on the injected
 * clock. Never wire it where a real carrier's answer is needed; production has no simulator behind this interface.
 */
export function createSimulatedSimSwapApi({ clock }: { clock: Clock }): SimulatedSimSwapApi {
  const swaps = new Map<string, Date>();
  let behaviour: SimulatedSimSwapBehaviour = 'answer';
  let call_count = 0;

  /** Waits as the behaviour says; a hung call ends only with its signal, as a real request would. */
  const respond = async (signal: AbortSignal): Promise<void> => {
    call_count += 1;
    signal.throwIfAborted();
    if (behaviour === 'fail') throw new Error('simulated SIM Swap API: service unavailable (503)');
    if (behaviour === 'hang') {
      await new Promise<never>((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
  };

  return {
    async check({ phone_number, max_age_hours }, signal) {
      await respond(signal);
      if (!Number.isInteger(max_age_hours) || max_age_hours < SIM_SWAP_MAX_AGE_HOURS_MIN || max_age_hours > SIM_SWAP_MAX_AGE_HOURS_MAX) {
        throw new Error(`simulated SIM Swap API: maxAge ${max_age_hours} is outside ${SIM_SWAP_MAX_AGE_HOURS_MIN}–${SIM_SWAP_MAX_AGE_HOURS_MAX} (400)`);
      }
      const swapped_at = swaps.get(phone_number);
      return { swapped: swapped_at !== undefined && clock.now().getTime() - swapped_at.getTime() <= max_age_hours * HOUR_MS };
    },
    async retrieveDate({ phone_number }, signal) {
      await respond(signal);
      return { latest_sim_change: swaps.get(phone_number) ?? null };
    },
    swapSim(phone_number, at = clock.now()) {
      swaps.set(phone_number, at);
    },
    behave(next) {
      behaviour = next;
    },
    calls: () => call_count,
  };
}
