import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { asDatabaseUnavailable, isConnectionFailure } from './connection-failure.ts';
import { DatabaseUnavailableError } from './database-unavailable-error.ts';

const sqlError = (code: string, message = 'server said no') => Object.assign(new Error(message), { code, severity: 'ERROR' });
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect' });

describe('telling a lost database from a refused statement', () => {
  test('shutdowns, lost connections, cancellations for time and full disks are connection failures', () => {
    for (const code of ['57P01', '57P02', '57P03', '57014', '55P03', '25P03', '08006', '08001', '08P01', '53300', '53100']) {
      assert.equal(isConnectionFailure(sqlError(code)), true, code);
    }
  });

  test("a statement's own errors are not: constraints, bad data, serialization failures, deadlocks, syntax, stale plans", () => {
    for (const code of ['23505', '23503', '23514', '22021', '22P02', '22003', '40001', '40P01', '42601', '42P01', '0A000', 'XX000']) {
      assert.equal(isConnectionFailure(sqlError(code)), false, code);
    }
  });

  test('refused, reset and unresolvable sockets are connection failures, also inside an AggregateError', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']) {
      assert.equal(isConnectionFailure(socketError(code)), true, code);
    }
    assert.equal(isConnectionFailure(new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')], 'both refused')), true);
  });

  test("node-postgres and pg-pool's own words for a dead or unobtainable connection are connection failures", () => {
    for (const message of [
      'Connection terminated unexpectedly', 'Connection terminated', 'Connection terminated due to connection timeout',
      'timeout exceeded when trying to connect', 'Client has encountered a connection error and is not queryable',
    ]) {
      assert.equal(isConnectionFailure(new Error(message)), true, message);
    }
  });

  test('programmer errors and non-errors are not', () => {
    for (const error of [new Error('Prepared statements must be unique'), new TypeError('x is not a function'), 'text', undefined, null, 42]) {
      assert.equal(isConnectionFailure(error), false, String(error));
    }
  });

  test('asDatabaseUnavailable wraps a connection failure with its cause and passes anything else back as undefined', () => {
    const lost = sqlError('57P01', 'terminating connection due to administrator command');
    const wrapped = asDatabaseUnavailable(lost, 'The database connection was lost');
    assert.ok(wrapped instanceof DatabaseUnavailableError);
    assert.equal(wrapped.code, 'service_unavailable');
    assert.equal(wrapped.cause, lost);
    assert.equal(wrapped.retry_after_seconds, 2);
    assert.equal(asDatabaseUnavailable(sqlError('23505'), 'x'), undefined);
    const already = new DatabaseUnavailableError('gone');
    assert.equal(asDatabaseUnavailable(already, 'x'), already);
  });
});
