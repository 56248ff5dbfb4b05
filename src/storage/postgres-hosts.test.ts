import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHostCursor, DatabaseUrlError, parseDatabaseHosts } from './postgres-hosts.ts';

describe('a multi-host DATABASE_URL', () => {
  test('each host gets a URL of its own with the same user, database and parameters, without target_session_attrs', () => {
    const hosts = parseDatabaseHosts('postgresql://bank:s3cret@db1.internal:5433,db2.internal/furikae?target_session_attrs=read-write&sslmode=require');
    assert.deepEqual(hosts, {
      urls: ['postgresql://bank:s3cret@db1.internal:5433/furikae?sslmode=require', 'postgresql://bank:s3cret@db2.internal/furikae?sslmode=require'],
      names: ['db1.internal:5433', 'db2.internal:5432'],
      target: 'read-write',
    });
  });

  test('a single host without target_session_attrs is the URL as given, accepting any session', () => {
    assert.deepEqual(parseDatabaseHosts('postgres://u@127.0.0.1:5432/db'), { urls: ['postgres://u@127.0.0.1:5432/db'], names: ['127.0.0.1:5432'], target: 'any' });
  });

  test('bracketed IPv6 hosts keep their port', () => {
    assert.deepEqual(parseDatabaseHosts('postgres://u@[::1]:5433,[fd00::2]/db?target_session_attrs=primary').names, ['[::1]:5433', '[fd00::2]:5432']);
  });

  test('a target the bank cannot write through, a bad port or a broken host list is refused without echoing the URL', () => {
    for (const url of [
      'postgres://u:pw@h1,h2/db?target_session_attrs=read-only',
      'postgres://u:pw@h1,h2/db?target_session_attrs=prefer-standby',
      'postgres://u:pw@h1:99999/db',
      'postgres://u:pw@h1:0/db',
      'postgres://u:pw@h1,,h2/db',
      'postgres://u:pw@h1:5432:1/db',
      'mysql://u:pw@h1/db',
    ]) {
      assert.throws(() => parseDatabaseHosts(url), (error: unknown) => error instanceof DatabaseUrlError && !String(error.message).includes('pw'), url);
    }
  });
});

describe('the host cursor', () => {
  test('moves to the next host once however many connections to the failed host fail, and wraps round', () => {
    const cursor = createHostCursor(parseDatabaseHosts('postgres://u@a,b,c/db'));
    assert.equal(cursor.current(), 0);
    cursor.failed(0, new Error('refused'));
    cursor.failed(0, new Error('refused'));
    assert.equal(cursor.current(), 1, 'a second failure of host 0 does not skip host 1');
    cursor.failed(1, new Error('read-only'));
    cursor.failed(2, new Error('refused'));
    assert.equal(cursor.current(), 0);
  });

  test('with one host it never moves', () => {
    const cursor = createHostCursor(parseDatabaseHosts('postgres://u@a/db'));
    cursor.failed(0, new Error('refused'));
    assert.equal(cursor.current(), 0);
  });
});
