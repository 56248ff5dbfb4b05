import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { recordingLog } from '../testing/recording-log.ts';
import { createCircuitBreaker, RECONNECT_DELAY_MS_BASE, RECONNECT_DELAY_MS_MAX, type Schedule } from './circuit-breaker.ts';
import { DatabaseUnavailableError } from './database-unavailable-error.ts';

/** A hand-cranked clock and timer: the test decides when a scheduled probe runs. */
function manualTimers() {
  let now = 0;
  const pending: { at: number; work: () => void }[] = [];
  const schedule: Schedule = (work, delay_ms) => {
    const entry = { at: now + delay_ms, work };
    pending.push(entry);
    return () => void pending.splice(pending.indexOf(entry), 1);
  };
  return {
    schedule,
    now_ms: () => now,
    pending,
    /** Moves time to the next scheduled probe and runs it; returns the wait. */
    async runNext(): Promise<number> {
      const next = pending.shift();
      assert.ok(next, 'a probe is scheduled');
      const waited = next.at - now;
      now = next.at;
      next.work();
      // Let the probe's promise settle.
      await new Promise((resolve) => setImmediate(resolve));
      return waited;
    },
  };
}

describe('the database circuit breaker', () => {
  test('a reachable database admits every caller and nothing probes', () => {
    const timers = manualTimers();
    const breaker = createCircuitBreaker({ probe: async () => assert.fail('no probe while reachable'), ...timers });
    for (let i = 0; i < 5; i++) breaker.admit();
    assert.deepEqual(breaker.state(), { reachable: true });
    assert.equal(timers.pending.length, 0);
  });

  test('once unreachable, every caller is refused at once with a Retry-After until a probe succeeds, and no caller is the probe', async () => {
    const timers = manualTimers();
    let probes = 0;
    let up = false;
    const breaker = createCircuitBreaker({ probe: async () => { probes += 1; if (!up) throw new Error('connect ECONNREFUSED'); }, ...timers });
    breaker.unreachable(new Error('connect ECONNREFUSED'));
    for (let i = 0; i < 10; i++) {
      assert.throws(() => breaker.admit(), (error: unknown) => error instanceof DatabaseUnavailableError && error.retry_after_seconds === 1);
    }
    assert.equal(probes, 0, 'callers never probe');
    await timers.runNext();
    assert.equal(probes, 1);
    assert.throws(() => breaker.admit(), DatabaseUnavailableError);
    up = true;
    await timers.runNext();
    assert.deepEqual(breaker.state(), { reachable: true });
    breaker.admit();
    assert.equal(timers.pending.length, 0, 'probing stops once the database is back');
  });

  test('probes back off by doubling from RECONNECT_DELAY_MS_BASE up to RECONNECT_DELAY_MS_MAX, which Retry-After then says', async () => {
    const timers = manualTimers();
    const breaker = createCircuitBreaker({ probe: async () => { throw new Error('still down'); }, ...timers });
    breaker.unreachable(new Error('down'));
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) waits.push(await timers.runNext());
    assert.deepEqual(waits, [RECONNECT_DELAY_MS_BASE, 250, 500, 1000, RECONNECT_DELAY_MS_MAX, RECONNECT_DELAY_MS_MAX, RECONNECT_DELAY_MS_MAX, RECONNECT_DELAY_MS_MAX]);
    assert.throws(() => breaker.admit(), (error: unknown) => error instanceof DatabaseUnavailableError && error.retry_after_seconds === RECONNECT_DELAY_MS_MAX / 1000);
  });

  test('a query already in flight that succeeds closes the breaker and cancels the probe', () => {
    const timers = manualTimers();
    const breaker = createCircuitBreaker({ probe: async () => assert.fail('cancelled'), ...timers });
    breaker.unreachable(new Error('down'));
    assert.equal(timers.pending.length, 1);
    breaker.reachable();
    assert.equal(timers.pending.length, 0);
    breaker.admit();
  });

  test('an outage is warned once however many failures it holds, and its end is told once at info', async () => {
    const timers = manualTimers();
    const { log, lines, flushed } = recordingLog('debug');
    const breaker = createCircuitBreaker({ log, probe: async () => undefined, ...timers });
    for (let i = 0; i < 20; i++) breaker.unreachable(new Error('connect ECONNREFUSED'));
    assert.equal(timers.pending.length, 1, 'one probe loop per outage');
    await timers.runNext();
    breaker.reachable();
    await flushed();
    assert.deepEqual(lines.map((line) => [line.level, line.msg]), [
      [40, 'database unreachable; answering 503 and reconnecting with back-off'],
      [30, 'database reachable again'],
    ]);
    assert.equal(lines[1]!.outage_ms, RECONNECT_DELAY_MS_BASE);
  });

  test('a closed breaker stops probing', () => {
    const timers = manualTimers();
    const breaker = createCircuitBreaker({ probe: async () => assert.fail('closed'), ...timers });
    breaker.unreachable(new Error('down'));
    breaker.close();
    assert.equal(timers.pending.length, 0);
  });
});
