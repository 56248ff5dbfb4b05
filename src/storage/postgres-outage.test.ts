/**
 * The bank through a database outage, against a real PostgreSQL cluster of its own that the tests stop, restart,
 * terminate and freeze. PostgreSQL only: PGlite runs inside the process and has no connection to lose.
 */
import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFreshDatabase, findPostgresBin, startThrowawayCluster, type ThrowawayCluster } from '../testing/postgres-cluster.ts';
import { charge } from '../testing/bank-fixture.ts';
import { chargeLink, linkedElderlyCustomer } from '../stepup/waiting-charge-fixture.ts';
import { startMailSink } from '../notify/mail-sink.ts';
import { openTestWallet } from '../wallet/open-test-wallet.ts';
import { openDatabase } from './open-database.ts';
import {
  assertLedgerMatches, assertUnavailableAnswers, openOutageBank, startChargeLoad, waitUntil,
} from '../testing/outage-harness.ts';
import { DATABASE_CONNECT_TIMEOUT_MS, QUERY_TIMEOUT_MARGIN_MS, STATEMENT_TIMEOUT_MS } from './database-timeouts.ts';

const bin = findPostgresBin();

/** Kills every session of `database` but the caller's, as an operator (or a failover tool) would. */
async function terminateSessions(server_url: string, database: string): Promise<number> {
  const admin = new pg.Client({ connectionString: server_url });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    const rows = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]);
    return rows.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

describe('the bank through a database outage (PostgreSQL only)', { skip: bin ? false : 'PostgreSQL is not installed' }, () => {
  let cluster: ThrowawayCluster;
  before(async () => {
    cluster = await startThrowawayCluster(bin!);
  });
  // A test that fails between stopping and starting the server must not leave the next tests without one.
  afterEach(() => cluster?.restore());
  after(() => cluster?.stop());

  test('under a charge load, `pg_ctl stop -m fast` and a start: 503 with Retry-After meanwhile, recovery by itself, every acknowledged charge once', async () => {
    const { fixture, lines, link_token } = await openOutageBank(cluster.url);
    try {
      const load = startChargeLoad(fixture, link_token);
      await waitUntil('some charges are acknowledged', () => load.acknowledged.size >= 20);
      cluster.shutdown();
      const down_at = load.answers.length;
      await waitUntil('charges are answered 503', () => load.answers.slice(down_at).filter((a) => a.status === 503).length >= 20);
      const health = await fixture.bank.app.inject({ method: 'GET', url: '/health' });
      assert.equal(health.statusCode, 200, 'liveness does not depend on the database');
      const ready = await fixture.bank.app.inject({ method: 'GET', url: '/ready' });
      assert.equal(ready.statusCode, 503, 'readiness reports the database');
      assert.equal(ready.json().code, 'service_unavailable');
      assert.match(String(ready.headers['retry-after']), /^[1-9]\d*$/);
      const read = await fixture.bank.app.inject({ method: 'GET', url: '/v1/charges', headers: { authorization: fixture.operator.basic } });
      assert.equal(read.statusCode, 503, 'a read that needs the database is 503 too');
      const token = await fixture.bank.app.inject({
        method: 'POST', url: '/oidc/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `grant_type=refresh_token&refresh_token=outage&client_id=${fixture.operator.client_id}`,
      });
      assert.equal(token.statusCode, 503, `the authorization server too: ${token.body}`);
      assert.equal(token.json().error, 'temporarily_unavailable');
      assert.match(String(token.headers['retry-after']), /^[1-9]\d*$/);
      cluster.start();
      const acknowledged_before = load.acknowledged.size;
      await waitUntil('charges flow again without anyone reconnecting the bank', () => load.acknowledged.size >= acknowledged_before + 20);
      await load.stop();

      assert.deepEqual([...new Set(load.answers.map((a) => a.status))].sort(), [201, 503], 'every answer was a charge or a 503, never a 500');
      assertUnavailableAnswers(load.answers);
      assert.equal((await fixture.bank.app.inject({ method: 'GET', url: '/ready' })).statusCode, 200);
      await assertLedgerMatches(fixture, load.acknowledged);
      const outage = lines.filter((line) => line.msg === 'database unreachable; answering 503 and reconnecting with back-off');
      assert.equal(outage.length, 1, 'the outage is warned once, not per request');
      assert.equal(lines.filter((line) => line.msg === 'database reachable again').length, 1);
    } finally {
      await fixture.close();
    }
  });

  test('pg_terminate_backend of every bank connection under load costs only the requests in flight, and nothing acknowledged', async () => {
    const { fixture, link_token, database } = await openOutageBank(cluster.url);
    try {
      const load = startChargeLoad(fixture, link_token);
      let terminated = 0;
      for (let round = 0; round < 3; round++) {
        const acknowledged = load.acknowledged.size;
        await waitUntil('charges flow', () => load.acknowledged.size >= acknowledged + 10);
        terminated += await terminateSessions(cluster.url, database);
      }
      const acknowledged = load.acknowledged.size;
      await waitUntil('charges flow after the last termination', () => load.acknowledged.size >= acknowledged + 10);
      await load.stop();

      assert.ok(terminated >= 3, `sessions were terminated (${terminated})`);
      assert.deepEqual(load.answers.filter((a) => a.status !== 201 && a.status !== 503), [], 'never a 500');
      assertUnavailableAnswers(load.answers);
      await assertLedgerMatches(fixture, load.acknowledged);
    } finally {
      await fixture.close();
    }
  });

  test('an idle bank survives a restart of its database and charges again by itself', async () => {
    const { fixture, link_token } = await openOutageBank(cluster.url);
    try {
      // Open several pooled connections, then let them sit idle in the pool while the server goes away.
      const warm = await Promise.all(Array.from({ length: 5 }, (_, i) => charge(fixture, link_token, { amount_yen: 100 }, `idle-warm-${i}`)));
      assert.deepEqual(warm.map((r) => r.statusCode), [201, 201, 201, 201, 201]);
      // The charges may have shared one connection, and pg-pool closes idle ones after 10 s: open five at once now,
      // so the shutdown surely meets idle connections (whose 'error' crashed the process before the pool had a listener).
      await Promise.all(Array.from({ length: 5 }, () => fixture.db.query('SELECT pg_sleep(0.05)')));
      cluster.shutdown();
      await sleep(500);
      cluster.start();
      // If a background job met the outage, the breaker holds callers off until its next attempt (2 s at most).
      let after_restart: Awaited<ReturnType<typeof charge>> | undefined;
      await waitUntil('a charge succeeds after the restart', async () => {
        after_restart = await charge(fixture, link_token, { amount_yen: 100 }, 'idle-after');
        if (after_restart.statusCode === 503) assert.match(String(after_restart.headers['retry-after']), /^[1-9]\d*$/);
        else assert.equal(after_restart.statusCode, 201, after_restart.body);
        return after_restart.statusCode === 201;
      });
      assert.ok(after_restart);
      assert.equal((await fixture.bank.app.inject({ method: 'GET', url: '/ready' })).statusCode, 200);
      await assertLedgerMatches(fixture, new Map([...warm.map((r, i) => [`idle-warm-${i}`, r.json().id] as const), ['idle-after', after_restart.json().id]]));
    } finally {
      await fixture.close();
    }
  });

  test('a hung server (postmaster and backends stopped) is answered 503 within the bound, and the bank recovers after SIGCONT', async () => {
    const { fixture, link_token } = await openOutageBank(cluster.url);
    // The longest one request can wait: a statement on a pooled connection waits out the client-side timeout, or a
    // new connection its connect timeout. A second of slack for a loaded machine.
    const bound_ms = Math.max(STATEMENT_TIMEOUT_MS + QUERY_TIMEOUT_MARGIN_MS, DATABASE_CONNECT_TIMEOUT_MS) + 1_000;
    try {
      const warm = await charge(fixture, link_token, { amount_yen: 100 }, 'hung-warm');
      assert.equal(warm.statusCode, 201);
      cluster.pause();
      let resumed = false;
      try {
        const started = performance.now();
        const during = await Promise.all([
          ...Array.from({ length: 4 }, (_, i) => charge(fixture, link_token, { amount_yen: 100 }, `hung-${i}`)),
          fixture.bank.app.inject({ method: 'GET', url: '/v1/charges', headers: { authorization: fixture.operator.basic } }),
          fixture.bank.app.inject({ method: 'GET', url: '/ready' }),
        ]);
        const waited_ms = performance.now() - started;
        assert.deepEqual(during.map((r) => r.statusCode), [503, 503, 503, 503, 503, 503], during.map((r) => r.body).join('\n'));
        assert.ok(waited_ms < bound_ms, `answered in ${Math.round(waited_ms)} ms, bound ${bound_ms} ms`);
        for (const response of during) assert.match(String(response.headers['retry-after']), /^[1-9]\d*$/);
        // Known hung now: callers are told at once instead of each waiting out a timeout; at most one of them is
        // let through to try the server again, and waits.
        const reads = await Promise.all(Array.from({ length: 5 }, async () => {
          const read_started = performance.now();
          const read = await fixture.bank.app.inject({ method: 'GET', url: '/v1/charges', headers: { authorization: fixture.operator.basic } });
          return { status: read.statusCode, waited_ms: performance.now() - read_started };
        }));
        assert.deepEqual(reads.map((read) => read.status), [503, 503, 503, 503, 503]);
        const waited = reads.filter((read) => read.waited_ms >= 1_500);
        assert.ok(waited.length <= 1, `a known outage is answered without waiting (waits: ${reads.map((read) => Math.round(read.waited_ms)).join(', ')} ms)`);
        cluster.resume();
        resumed = true;
      } finally {
        if (!resumed) cluster.resume();
      }
      let after: Awaited<ReturnType<typeof charge>> | undefined;
      await waitUntil('a charge succeeds after SIGCONT', async () => {
        after = await charge(fixture, link_token, { amount_yen: 100 }, 'hung-after');
        return after.statusCode === 201;
      });
      const stored = await fixture.db.query<{ idempotency_key: string; id: string }>(`SELECT idempotency_key, id FROM charges ORDER BY idempotency_key`);
      // The hung attempts had no answer from the server, so none of them may have committed after it woke.
      assert.deepEqual(stored.map((row) => row.idempotency_key), ['hung-after', 'hung-warm']);
      const report = await fixture.bank.services.ledger.checkInvariants();
      assert.equal(report.ok, true);
    } finally {
      await fixture.close();
    }
  });

  test('the outbox, webhook and waiting-charge jobs back off through an outage, warn once each, and resume by themselves', async () => {
    const sink = await startMailSink({ host: '127.0.0.1' });
    // The operator's webhook endpoint: records the event types it receives.
    const received: string[] = [];
    const operator_endpoint = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk));
      request.on('end', () => {
        received.push((JSON.parse(body) as { type: string }).type);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => operator_endpoint.listen(0, '127.0.0.1', resolve));
    const { fixture, lines, link_token } = await openOutageBank(cluster.url, { smtp_url: sink.url, risk_enforced: true });
    const noticeStatus = async (charge_id: string) => (await fixture.db.query<{ status: string }>(
      `SELECT status FROM notification_outbox WHERE template = 'charge_succeeded' AND data->>'charge_id' = $1`, [charge_id]))[0]?.status;
    try {
      await fixture.bank.services.webhooks.register(fixture.operator.id, `http://127.0.0.1:${(operator_endpoint.address() as AddressInfo).port}/furikae-webhooks`);
      const elder = await linkedElderlyCustomer(fixture);
      const waiting = await chargeLink(fixture, elder, 100_000);
      assert.equal(waiting.statusCode, 202, waiting.body);
      assert.equal(waiting.json().status, 'pending_approval');
      const before = await charge(fixture, link_token, { amount_yen: 100 }, 'jobs-before');
      assert.equal(before.statusCode, 201);
      await waitUntil('the notice of the charge before the outage is sent', async () => (await noticeStatus(before.json().id)) === 'sent');

      cluster.shutdown();
      // Long enough for many passes of both loops, had they not backed off.
      await sleep(3_000);
      fixture.clock.advance(11 * 60_000);
      cluster.start();

      let after: Awaited<ReturnType<typeof charge>> | undefined;
      await waitUntil('a charge succeeds after the restart', async () => {
        after = await charge(fixture, link_token, { amount_yen: 100 }, 'jobs-after');
        return after.statusCode === 201;
      });
      await waitUntil('the outbox sends the new charge notice', async () => (await noticeStatus(after!.json().id)) === 'sent');
      await waitUntil('the waiting charge expires and the operator is told by webhook', async () => {
        const [row] = await fixture.db.query<{ status: string; delivered: boolean }>(
          `SELECT c.status, d.delivered_at IS NOT NULL AS delivered
             FROM charges c LEFT JOIN webhook_deliveries d ON d.charge_id = c.id AND d.event_type = 'charge.expired' WHERE c.id = $1`,
          [waiting.json().id]);
        return row?.status === 'expired' && row.delivered;
      });
      assert.deepEqual(received, ['charge.expired'], 'the webhook went once');

      for (const job of ['notification dispatch', 'waiting-charge jobs']) {
        const of_job = lines.filter((line) => line.job === job);
        assert.deepEqual(of_job.map((line) => [line.level, line.msg]), [
          [40, `${job}: the database is unavailable; backing off until it is back`],
          [30, `${job}: the database is back; resumed`],
        ], `${job} logged its outage once and its end once: ${JSON.stringify(of_job)}`);
      }
      const job_errors = lines.filter((line) => line.level >= 50 && /dispatch|waiting-charge/.test(line.msg));
      assert.deepEqual(job_errors.map((line) => line.msg), [], 'no error per tick while the database was away');
      const report = await fixture.bank.services.ledger.checkInvariants();
      assert.equal(report.ok, true);
    } finally {
      await fixture.close();
      await sink.close();
      operator_endpoint.close();
    }
  });

  test('a wallet on PostgreSQL survives its database restarting: 503 with Retry-After meanwhile, then serves again by itself', async () => {
    const database_url = await createFreshDatabase(cluster.url);
    const wallet = await openTestWallet({ name: 'postgres', skip: false, concurrent_transactions: true, open: (schema) => openDatabase({ database_url, schema, application_name: 'furikae-wallet' }) });
    try {
      const login = () => wallet.app.inject({ method: 'GET', url: '/login' });
      const page = await login();
      assert.equal(page.statusCode, 200);
      // The login page itself needs no database (its form token lives in a cookie); signing in reads the users.
      const csrf_token = /name="csrf_token" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const cookies = Object.fromEntries(page.cookies.map((cookie) => [cookie.name, cookie.value]));
      const signIn = () => wallet.app.inject({
        method: 'POST', url: '/login', cookies, headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ csrf_token, email: 'nobody@example.jp', password: 'not a real password' }).toString(),
      });
      cluster.shutdown();
      await sleep(300);
      const during = await signIn();
      assert.equal(during.statusCode, 503, during.body);
      assert.equal(during.json().code, 'service_unavailable');
      assert.match(String(during.headers['retry-after']), /^[1-9]\d*$/);
      assert.equal((await wallet.app.inject({ method: 'GET', url: '/ready' })).statusCode, 503);
      assert.equal((await wallet.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
      cluster.start();
      await waitUntil('the wallet signs people in again', async () => (await signIn()).statusCode !== 503);
      assert.equal((await login()).statusCode, 200);
      assert.equal((await wallet.app.inject({ method: 'GET', url: '/ready' })).statusCode, 200);
    } finally {
      await wallet.closeAll();
    }
  });
});
