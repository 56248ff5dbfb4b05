/**
 * The mobile network's SIM Swap API, after CAMARA / GSMA Open Gateway SIM Swap (v1): "was the SIM card for this
 * number swapped within the last N hours?" (POST /check with `maxAge`) and "when was it last swapped?" (POST
 * /retrieve-date). A carrier's client implements it in production; the demo, the lab and tests use
 * SimulatedSimSwapApi (src/telecom/simulated-sim-swap-api.ts). Callers go through checkSimSwap, never straight here.
 */
export interface SimSwapApi {
  /** CAMARA `check`: `swapped` is true when the SIM for `phone_number` changed within the last `max_age_hours`. */
  check(request: { phone_number: string; max_age_hours: number }, signal: AbortSignal): Promise<{ swapped: boolean }>;
  /** CAMARA `retrieve-date`: when the SIM for `phone_number` last changed; null when the carrier has no record of a change. */
  retrieveDate(request: { phone_number: string }, signal: AbortSignal): Promise<{ latest_sim_change: Date | null }>;
}
