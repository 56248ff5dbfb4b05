/**
 * A COMMIT whose answer never comes has an unknown outcome. The bank must not report success it cannot trust, nor
 * failure it cannot trust: it answers 503, and the operator's retry with the same Idempotency-Key tells the truth.
 * PostgreSQL only, through a fault proxy on the wire: PGlite runs in process and its COMMIT cannot be lost.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { charge } from '../testing/bank-fixture.ts';
import { assertLedgerMatches, openOutageBank } from '../testing/outage-harness.ts';
import { openPostgresFaultProxy } from '../testing/postgres-fault-proxy.ts';
import { testBackends } from '../testing/test-databases.ts';

const postgres = testBackends.find((backend) => backend.name === 'postgres')!;
const server_url = process.env.TEST_POSTGRES_URL;

async function openBankBehindProxy() {
  const proxy = await openPostgresFaultProxy(Number(new URL(server_url!).port));
  // No background job may commit meanwhile: the proxy fails the next COMMIT, which must be the charge batch's.
  const bank = await openOutageBank(server_url!, { via_port: proxy.port, waiting_charge_jobs: false });
  return { ...bank, proxy, async close() { await bank.fixture.close(); await proxy.close(); } };
}

describe('a COMMIT whose answer is lost (PostgreSQL only)', { skip: postgres.skip }, () => {
  test('answers 503, and a retry with the same Idempotency-Key returns the charge that did commit, once', async () => {
    const { fixture, link_token, proxy, close } = await openBankBehindProxy();
    try {
      proxy.mode = 'lose_commit_answer';
      const first = await charge(fixture, link_token, { amount_yen: 700 }, 'lost-answer');
      assert.equal(proxy.faults, 1, 'the COMMIT reached the server and its answer was cut');
      assert.equal(first.statusCode, 503, first.body);
      assert.match(String(first.headers['content-type']), /^application\/problem\+json/);
      assert.equal(first.json().code, 'service_unavailable');
      assert.match(first.json().detail, /outcome is unknown/);
      assert.match(String(first.headers['retry-after']), /^[1-9]\d*$/);
      const [stored] = await fixture.db.query<{ id: string; amount_yen: number }>(`SELECT id, amount_yen FROM charges WHERE idempotency_key = 'lost-answer'`);
      assert.ok(stored, 'the charge did commit although the bank never heard so');

      const retry = await charge(fixture, link_token, { amount_yen: 700 }, 'lost-answer');
      assert.equal(retry.statusCode, 201, retry.body);
      assert.equal(retry.headers['idempotent-replayed'], 'true');
      assert.equal(retry.json().id, stored.id);
      assert.equal(retry.json().amount_yen, 700);
      await assertLedgerMatches(fixture, new Map([['lost-answer', stored.id]]), { amount_yen: 700 });
    } finally {
      await close();
    }
  });

  test('a COMMIT cut before it reached the server answers 503, changes nothing, and the retry charges once', async () => {
    const { fixture, link_token, proxy, close } = await openBankBehindProxy();
    try {
      proxy.mode = 'cut_before_commit';
      const first = await charge(fixture, link_token, { amount_yen: 700 }, 'cut-commit');
      assert.equal(proxy.faults, 1);
      assert.equal(first.statusCode, 503, first.body);
      assert.equal(first.json().code, 'service_unavailable');
      assert.deepEqual(await fixture.db.query(`SELECT id FROM charges WHERE idempotency_key = 'cut-commit'`), [], 'the server rolled the batch back');

      const retry = await charge(fixture, link_token, { amount_yen: 700 }, 'cut-commit');
      assert.equal(retry.statusCode, 201, retry.body);
      assert.equal(retry.headers['idempotent-replayed'], undefined, 'a new charge, not a replay');
      await assertLedgerMatches(fixture, new Map([['cut-commit', retry.json().id]]), { amount_yen: 700 });
    } finally {
      await close();
    }
  });
});
