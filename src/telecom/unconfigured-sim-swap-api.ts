import type { SimSwapApi } from './sim-swap-api.ts';

/**
 * The SIM Swap API of a bank with no carrier contract configured: every question fails, so the bank never trusts
 * SMS for a link, a step-up or a new factor (checkSimSwap answers `unknown`, the fail-safe path). `serve` uses it
 * until a carrier's client is wired; it is never a simulator that answers "not swapped".
 */
export function createUnconfiguredSimSwapApi(): SimSwapApi {
  const refuse = async (): Promise<never> => {
    throw new Error('no carrier SIM Swap API is configured');
  };
  return { check: refuse, retrieveDate: refuse };
}
