/**
 * What the database-outage tests share: a bank on its own throwaway PostgreSQL cluster (an outage must not touch
 * the cluster other tests use), a log the test can read, and a charge load that behaves as a careful operator
 * does: one Idempotency-Key per charge, retried after a 503 until a definitive answer.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../storage/open-database.ts';
import type { DatabaseTimeouts } from '../storage/database-timeouts.ts';
import { charge, createBankFixture, legacyLink, type BankFixture } from './bank-fixture.ts';
import { createFreshDatabase } from './postgres-cluster.ts';
import { recordingLog } from './recording-log.ts';
import { STEP_UP_TEST_BANK } from '../stepup/waiting-charge-fixture.ts';

/** A bank over a fresh database on `server_url`, with one linked customer; risk observes only, so a long load is never denied. */
export async function openOutageBank(server_url: string, options: {
  timeouts?: Partial<DatabaseTimeouts>; smtp_url?: string; waiting_charge_jobs?: boolean; risk_enforced?: boolean;
  /** Reach the server through this local port (a fault proxy) instead of directly. */
  via_port?: number;
  /** The URL the bank is given for the fresh database, by its name: e.g. a multi-host URL over a primary and its standby. */
  database_url_for?: (database: string) => string;
  /** The bank listens on a loopback port (fixture.url), for a load over real HTTP. */
  listen?: boolean;
} = {}) {
  const { log, lines } = recordingLog();
  const direct_url = await createFreshDatabase(server_url);
  const routed = new URL(direct_url);
  if (options.via_port !== undefined) routed.port = String(options.via_port);
  const database_name = routed.pathname.slice(1);
  const database_url = options.database_url_for?.(database_name) ?? routed.toString();
  const fixture = await createBankFixture(
    {
      name: 'postgres',
      skip: false,
      concurrent_transactions: true,
      open: () => openDatabase({ database_url, log: log.child({ part: 'database' }), application_name: 'furikae-bank', ...(options.timeouts ? { timeouts: options.timeouts } : {}) }),
    },
    {
      log,
      ...(options.risk_enforced ? STEP_UP_TEST_BANK : { risk: { mode: 'observe' as const } }),
      ...(options.smtp_url ? { smtp_url: options.smtp_url } : {}),
      ...(options.listen ? { listen: true } : {}),
      // No background job may commit: a fault proxy's next COMMIT must be the charge's. The incident jobs commit too.
      ...(options.waiting_charge_jobs === false ? { waiting_charge_jobs: false, incident_jobs: false } : {}),
    },
  );
  const { response, body } = await legacyLink(fixture);
  assert.equal(response.statusCode, 201, response.body);
  return { fixture, lines, database_url, database: database_name, link_token: body.link_token };
}

/** One answer the load got. */
export interface LoadAnswer {
  key: string;
  status: number;
  content_type: string | undefined;
  retry_after: string | undefined;
  code: string | undefined;
  charge_id: string | undefined;
  replayed: boolean;
  /** When the answer came (performance.now()), to time an outage from the answers. */
  at_ms: number;
}

/** How long the load waits before retrying after a 503: shorter than Retry-After, so a test sees recovery promptly. */
export const LOAD_RETRY_WAIT_MS = 100;
/** Yen per charge: small, so the customer's ¥500,000 and the link's monthly cap outlast any test load. */
export const LOAD_CHARGE_YEN = 100;

/** A charge answer as the load reads it, whether it came in-process or over a socket. */
interface ChargeReply {
  status: number;
  header(name: string): string | undefined;
  body: string;
}

/** One charge: in-process (`app.inject`), or over loopback HTTP to `base_url` when the bank listens on a real socket. */
async function sendCharge(fixture: BankFixture, link_token: string, key: string, base_url: string | undefined): Promise<ChargeReply> {
  if (base_url === undefined) {
    const response = await charge(fixture, link_token, { amount_yen: LOAD_CHARGE_YEN }, key);
    return { status: response.statusCode, header: (name) => response.headers[name] as string | undefined, body: response.body };
  }
  const response = await fetch(`${base_url}/v1/charges`, {
    method: 'POST',
    headers: { authorization: `Bearer ${link_token}`, 'idempotency-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ amount_yen: LOAD_CHARGE_YEN }),
  });
  return { status: response.status, header: (name) => response.headers.get(name) ?? undefined, body: await response.text() };
}

/**
 * A load stops by itself after this long even if nobody stops it: a test that fails between starting and stopping it
 * (the database left down) must end, not retry 503s until the runner's 20-minute limit. Every drill is far shorter.
 */
const LOAD_MAX_MS = 120_000;

/**
 * Charges the fixture's link from `workers` callers at once until stopped (or LOAD_MAX_MS); each key is retried after
 * 503 until answered. `base_url` sends them over HTTP to a listening bank instead of in-process.
 */
export function startChargeLoad(fixture: BankFixture, link_token: string, { workers = 6, prefix = 'load', base_url }: { workers?: number; prefix?: string; base_url?: string } = {}) {
  const answers: LoadAnswer[] = [];
  const acknowledged = new Map<string, string>();
  let stopping = false;
  let serial = 0;
  const stop_at_ms = performance.now() + LOAD_MAX_MS;
  async function worker() {
    while (!stopping && performance.now() < stop_at_ms) {
      const key = `${prefix}-${++serial}`;
      while (performance.now() < stop_at_ms) {
        const response = await sendCharge(fixture, link_token, key, base_url);
        const body = (() => { try { return JSON.parse(response.body) as { id?: string; code?: string }; } catch { return {}; } })();
        const answer: LoadAnswer = {
          key, status: response.status, content_type: response.header('content-type'),
          retry_after: response.header('retry-after'), code: body.code,
          charge_id: response.status < 300 ? body.id : undefined, replayed: response.header('idempotent-replayed') === 'true',
          at_ms: performance.now(),
        };
        answers.push(answer);
        if (response.status !== 503) {
          if (answer.charge_id) acknowledged.set(key, answer.charge_id);
          break;
        }
        await sleep(LOAD_RETRY_WAIT_MS);
      }
    }
  }
  const running = Promise.all(Array.from({ length: workers }, worker));
  return {
    answers,
    /** Key → charge id, for every 2xx. */
    acknowledged,
    /** Stops taking new keys and waits until every key in hand has its definitive answer. */
    async stop() {
      stopping = true;
      await running;
    },
  };
}

/** Polls `check` until it holds, or fails naming `what` after `timeout_ms`. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeout_ms = 20_000): Promise<void> {
  const deadline = performance.now() + timeout_ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeout_ms} ms waiting until ${what}`);
    await sleep(50);
  }
}

/** Every 503 is problem+json service_unavailable with a Retry-After of whole seconds, at least one. */
export function assertUnavailableAnswers(answers: readonly LoadAnswer[]): void {
  for (const answer of answers.filter((a) => a.status === 503)) {
    assert.match(answer.content_type ?? '', /^application\/problem\+json/, `503 for ${answer.key} is problem+json`);
    assert.equal(answer.code, 'service_unavailable');
    assert.match(answer.retry_after ?? '', /^[1-9]\d*$/, `503 for ${answer.key} carries Retry-After`);
  }
}

/**
 * After the load: every acknowledged charge is in the ledger exactly once under its own key, the customer was
 * debited for exactly those, each has its notice in the outbox, and the ledger's invariants hold.
 */
export async function assertLedgerMatches(
  fixture: BankFixture, acknowledged: ReadonlyMap<string, string>, { amount_yen = LOAD_CHARGE_YEN }: { amount_yen?: number } = {},
): Promise<void> {
  const { db } = fixture;
  const stored = await db.query<{ idempotency_key: string; id: string }>(
    `SELECT idempotency_key, id FROM charges WHERE operator_id = $1 ORDER BY idempotency_key`, [fixture.operator.id]);
  assert.deepEqual(new Map(stored.map((row) => [row.idempotency_key, row.id])), new Map([...acknowledged].sort()), 'the charges stored are exactly those acknowledged, each under its key');
  const ids = [...acknowledged.values()];
  const [transfers] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_transfers WHERE id = ANY($1::uuid[])`, [ids]);
  assert.equal(transfers?.n, ids.length, 'one ledger transfer per charge');
  const [account] = await db.query<{ debits_posted: number }>(`SELECT debits_posted FROM ledger_accounts WHERE id = $1`, [fixture.customer.account_id]);
  assert.equal(account?.debits_posted, ids.length * amount_yen, 'the customer was debited once per acknowledged charge');
  const [notices] = await db.query<{ n: number; distinct_charges: number }>(
    `SELECT count(*)::int AS n, count(DISTINCT data->>'charge_id')::int AS distinct_charges
       FROM notification_outbox WHERE template = 'charge_succeeded' AND data->>'charge_id' = ANY($1::text[])`, [ids]);
  assert.deepEqual(notices, { n: ids.length, distinct_charges: ids.length }, 'each charge has exactly one notice in the outbox');
  const report = await fixture.bank.services.ledger.checkInvariants();
  assert.equal(report.ok, true, JSON.stringify(report));
}
