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

/** A bank over a fresh database on `server_url`, with one linked customer; risk observes only, so a long load is never denied. */
export async function openOutageBank(server_url: string, options: {
  timeouts?: Partial<DatabaseTimeouts>; smtp_url?: string; waiting_charge_jobs?: boolean; risk_enforced?: boolean;
  /** Reach the server through this local port (a fault proxy) instead of directly. */
  via_port?: number;
} = {}) {
  const { log, lines } = recordingLog();
  const direct_url = await createFreshDatabase(server_url);
  const routed = new URL(direct_url);
  if (options.via_port !== undefined) routed.port = String(options.via_port);
  const database_url = routed.toString();
  const fixture = await createBankFixture(
    {
      name: 'postgres',
      skip: false,
      concurrent_transactions: true,
      open: () => openDatabase({ database_url, log: log.child({ part: 'database' }), application_name: 'furikae-bank', ...(options.timeouts ? { timeouts: options.timeouts } : {}) }),
    },
    {
      log,
      ...(options.risk_enforced ? {} : { risk: { mode: 'observe' as const } }),
      ...(options.smtp_url ? { smtp_url: options.smtp_url } : {}),
      // No background job may commit: a fault proxy's next COMMIT must be the charge's. The incident jobs commit too.
      ...(options.waiting_charge_jobs === false ? { waiting_charge_jobs: false, incident_jobs: false } : {}),
    },
  );
  const { response, body } = await legacyLink(fixture);
  assert.equal(response.statusCode, 201, response.body);
  return { fixture, lines, database_url, database: new URL(database_url).pathname.slice(1), link_token: body.link_token };
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
}

/** How long the load waits before retrying after a 503: shorter than Retry-After, so a test sees recovery promptly. */
export const LOAD_RETRY_WAIT_MS = 100;
/** Yen per charge: small, so the customer's ¥500,000 and the link's monthly cap outlast any test load. */
export const LOAD_CHARGE_YEN = 100;

/** Charges the fixture's link from `workers` callers at once until stopped; each key is retried after 503 until answered. */
export function startChargeLoad(fixture: BankFixture, link_token: string, { workers = 6, prefix = 'load' }: { workers?: number; prefix?: string } = {}) {
  const answers: LoadAnswer[] = [];
  const acknowledged = new Map<string, string>();
  let stopping = false;
  let serial = 0;
  async function worker() {
    while (!stopping) {
      const key = `${prefix}-${++serial}`;
      for (;;) {
        const response = await charge(fixture, link_token, { amount_yen: LOAD_CHARGE_YEN }, key);
        const body = (() => { try { return response.json() as { id?: string; code?: string }; } catch { return {}; } })();
        const answer: LoadAnswer = {
          key, status: response.statusCode, content_type: response.headers['content-type'] as string | undefined,
          retry_after: response.headers['retry-after'] as string | undefined, code: body.code,
          charge_id: response.statusCode < 300 ? body.id : undefined, replayed: response.headers['idempotent-replayed'] === 'true',
        };
        answers.push(answer);
        if (response.statusCode !== 503) {
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
