import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { recordingLog } from '../testing/recording-log.ts';
import { createJobBackoff, JOB_RETRY_DELAY_MS_MAX } from './job-backoff.ts';
import { DatabaseUnavailableError } from '../storage/database-unavailable-error.ts';

describe('background job back-off', () => {
  test('failing passes wait twice as long each time, from the interval up to JOB_RETRY_DELAY_MS_MAX', () => {
    const { log } = recordingLog('debug');
    const backoff = createJobBackoff({ log, job: 'test job', interval_ms: 200 });
    const delays = Array.from({ length: 8 }, () => backoff.failed(new DatabaseUnavailableError('gone')));
    assert.deepEqual(delays, [200, 400, 800, 1600, 3200, JOB_RETRY_DELAY_MS_MAX, JOB_RETRY_DELAY_MS_MAX, JOB_RETRY_DELAY_MS_MAX]);
    backoff.succeeded();
    assert.equal(backoff.failed(new DatabaseUnavailableError('gone again')), 200, 'a success starts the back-off over');
  });

  test('a database outage is one warning and one info line, not one per pass', async () => {
    let now = 0;
    const { log, lines, flushed } = recordingLog('debug');
    const backoff = createJobBackoff({ log, job: 'notification dispatch', interval_ms: 200, now_ms: () => now });
    for (let i = 0; i < 30; i++) backoff.failed(new DatabaseUnavailableError('The database cannot be reached'));
    now = 12_345;
    backoff.succeeded();
    backoff.succeeded();
    await flushed();
    assert.deepEqual(lines.map((line) => [line.level, line.msg]), [
      [40, 'notification dispatch: the database is unavailable; backing off until it is back'],
      [30, 'notification dispatch: the database is back; resumed'],
    ]);
    assert.equal(lines[1]!.outage_ms, 12_345);
  });

  test('any other failure is an error on every pass, still backed off', async () => {
    const { log, lines, flushed } = recordingLog('debug');
    const backoff = createJobBackoff({ log, job: 'waiting-charge jobs', interval_ms: 1_000 });
    assert.equal(backoff.failed(new TypeError('a bug')), 1_000);
    assert.equal(backoff.failed(new TypeError('a bug')), 2_000);
    await flushed();
    assert.deepEqual(lines.map((line) => line.level), [50, 50]);
  });
});
