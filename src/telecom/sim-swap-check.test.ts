import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../shared/clock.ts';
import { createLogger } from '../shared/logger.ts';
import { createSimulatedSimSwapApi } from './simulated-sim-swap-api.ts';
import { checkSimSwap, latestSimChange, SIM_SWAP_WINDOW_HOURS } from './sim-swap-check.ts';

const HOUR_MS = 60 * 60 * 1000;
const PHONE = '090-1111-2222';
const log = createLogger({ level: 'silent' });

describe('the SIM-swap check against the simulated carrier', () => {
  test(`a swap ${SIM_SWAP_WINDOW_HOURS - 1} h ago is within the window; ${SIM_SWAP_WINDOW_HOURS + 1} h ago is not`, async () => {
    const clock = new ManualClock();
    const api = createSimulatedSimSwapApi({ clock });
    assert.equal(SIM_SWAP_WINDOW_HOURS, 72);
    api.swapSim(PHONE, new Date(clock.now().getTime() - 71 * HOUR_MS));
    assert.equal(await checkSimSwap({ api, log }, PHONE), 'swapped');
    api.swapSim(PHONE, new Date(clock.now().getTime() - 73 * HOUR_MS));
    assert.equal(await checkSimSwap({ api, log }, PHONE), 'not_swapped');
  });

  test('a number never swapped is not swapped, and another number’s swap is not this one’s', async () => {
    const clock = new ManualClock();
    const api = createSimulatedSimSwapApi({ clock });
    api.swapSim('080-0000-0000');
    assert.equal(await checkSimSwap({ api, log }, PHONE), 'not_swapped');
  });

  test('a carrier that never answers is unknown after the timeout, not a hung request', async () => {
    const api = createSimulatedSimSwapApi({ clock: new ManualClock() });
    api.behave('hang');
    const started = performance.now();
    assert.equal(await checkSimSwap({ api, log }, PHONE, { timeout_ms: 50 }), 'unknown');
    // Generous bound: the point is that it returns at all, not how fast (no performance target here).
    assert.ok(performance.now() - started < 5_000);
  });

  test('a client that ignores its abort signal still cannot hang the check', async () => {
    const api = { check: () => new Promise<never>(() => {}), retrieveDate: () => new Promise<never>(() => {}) };
    assert.equal(await checkSimSwap({ api, log }, PHONE, { timeout_ms: 20 }), 'unknown');
  });

  test('a carrier error is unknown', async () => {
    const api = createSimulatedSimSwapApi({ clock: new ManualClock() });
    api.behave('fail');
    assert.equal(await checkSimSwap({ api, log }, PHONE), 'unknown');
    assert.equal(api.calls(), 1);
  });

  test('the simulator answers CAMARA’s retrieve-date with the last swap, or null', async () => {
    const clock = new ManualClock();
    const api = createSimulatedSimSwapApi({ clock });
    const signal = new AbortController().signal;
    assert.deepEqual(await api.retrieveDate({ phone_number: PHONE }, signal), { latest_sim_change: null });
    api.swapSim(PHONE);
    assert.deepEqual(await api.retrieveDate({ phone_number: PHONE }, signal), { latest_sim_change: clock.now() });
  });

  test('the simulator refuses a maxAge outside CAMARA’s 1–2,400 hours, and the check reads that as unknown', async () => {
    const api = createSimulatedSimSwapApi({ clock: new ManualClock() });
    assert.equal(await checkSimSwap({ api, log }, PHONE, { window_hours: 0 }), 'unknown');
    assert.equal(await checkSimSwap({ api, log }, PHONE, { window_hours: 2_401 }), 'unknown');
    assert.equal(await checkSimSwap({ api, log }, PHONE, { window_hours: 2_400 }), 'not_swapped');
  });

  test('the date of the last SIM change comes back as the carrier gives it, null with none, and unknown when the carrier fails or hangs', async () => {
    const clock = new ManualClock();
    const api = createSimulatedSimSwapApi({ clock });
    assert.equal(await latestSimChange({ api, log }, PHONE), null);
    const swapped_at = new Date(clock.now().getTime() - 80 * HOUR_MS);
    api.swapSim(PHONE, swapped_at);
    assert.deepEqual(await latestSimChange({ api, log }, PHONE), swapped_at);
    api.behave('fail');
    assert.equal(await latestSimChange({ api, log }, PHONE), 'unknown');
    api.behave('hang');
    assert.equal(await latestSimChange({ api, log }, PHONE, { timeout_ms: 20 }), 'unknown');
  });
});
