import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { recordingLog } from '../testing/recording-log.ts';
import { createCircuitBreaker, RECONNECT_DELAY_MS_BASE, RECONNECT_DELAY_MS_MAX } from './circuit-breaker.ts';
import { DatabaseUnavailableError } from './database-unavailable-error.ts';

describe('the database circuit breaker', () => {
  test('a reachable database admits every caller', () => {
    const breaker = createCircuitBreaker({ now_ms: () => 0 });
    for (let i = 0; i < 5; i++) breaker.admit();
    assert.deepEqual(breaker.state(), { reachable: true });
  });

  test('after a failed connect, callers are refused at once with 503 until the first attempt is due, then one is let through', () => {
    let now = 1_000;
    const breaker = createCircuitBreaker({ now_ms: () => now });
    breaker.unreachable(new Error('connect ECONNREFUSED'));
    assert.throws(() => breaker.admit(), (error: unknown) => error instanceof DatabaseUnavailableError && error.retry_after_seconds === 1);
    now += RECONNECT_DELAY_MS_BASE - 1;
    assert.throws(() => breaker.admit(), DatabaseUnavailableError);
    now += 1;
    breaker.admit(); // the attempt
    assert.throws(() => breaker.admit(), DatabaseUnavailableError, 'only one attempt per interval');
  });

  test('attempts back off by doubling up to RECONNECT_DELAY_MS_MAX and no further', () => {
    let now = 0;
    const breaker = createCircuitBreaker({ now_ms: () => now });
    breaker.unreachable(new Error('down'));
    const gaps: number[] = [];
    let last = 0;
    for (let attempt = 0; attempt < 8; attempt++) {
      while (true) {
        try {
          breaker.admit();
          break;
        } catch {
          now += 10;
        }
      }
      gaps.push(now - last);
      last = now;
      breaker.unreachable(new Error('still down'));
    }
    assert.equal(gaps[0], RECONNECT_DELAY_MS_BASE);
    for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i]! >= gaps[i - 1]!, `gap ${i} does not shrink`);
    assert.equal(Math.max(...gaps), RECONNECT_DELAY_MS_MAX);
  });

  test('an outage is warned once however many failures it holds, and its end is told once at info', async () => {
    let now = 0;
    const { log, lines, flushed } = recordingLog('debug');
    const breaker = createCircuitBreaker({ log, now_ms: () => now });
    for (let i = 0; i < 20; i++) breaker.unreachable(new Error('connect ECONNREFUSED'));
    now = 3_000;
    breaker.reachable();
    breaker.reachable();
    await flushed();
    assert.deepEqual(lines.map((line) => [line.level, line.msg]), [
      [40, 'database unreachable; answering 503 and reconnecting with back-off'],
      [30, 'database reachable again'],
    ]);
    assert.equal(lines[1]!.outage_ms, 3_000);
    breaker.admit();
  });
});
