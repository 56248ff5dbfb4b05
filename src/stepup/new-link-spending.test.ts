import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testBackends } from '../testing/test-databases.ts';
import { createBankFixture, type BankFixture } from '../testing/bank-fixture.ts';
import { balances, chargeLink, linkedElderlyCustomer, stepUpCode, STEP_UP_TEST_BANK, STEP_UP_TEST_RISK, type WaitingChargeCustomer } from './waiting-charge-fixture.ts';
import { withNewLinkLimit } from '../risk/default-risk-config.ts';
import { loadChargeFeatures } from '../risk/load-charge-features.ts';
import { LINK_COLUMNS, type Link } from '../linking/link.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The new-link limit (withNewLinkLimit, off in the shipped config) through the real charge path: a link moves ¥50,000
 * before its holder confirms one of its charges at the bank, whatever each charge's size. The fixture's link is a PIN link of a customer of 40, made moments ago;
 * ¥29,999 on it is below every challenge by amount, as a patient thief who relayed a code would take it.
 */
for (const backend of testBackends) {
  describe(`a young link's unconfirmed spending on ${backend.name}`, { skip: backend.skip }, () => {
    let fixture: BankFixture;
    before(async () => {
      fixture = await createBankFixture(backend, { waiting_charge_jobs: false, ...STEP_UP_TEST_BANK, risk: { config: withNewLinkLimit(STEP_UP_TEST_RISK.config) } });
    });
    after(() => fixture?.close());

    const unconfirmedYen = async (link_id: string) =>
      Number((await fixture.db.query<{ yen: string }>(`SELECT unconfirmed_yen::text AS yen FROM risk_link_stats WHERE link_id = $1`, [link_id]))[0]?.yen ?? 0);
    const confirmedAt = async (link_id: string) =>
      (await fixture.db.query<{ confirmed_at: Date | null }>(`SELECT confirmed_at FROM risk_link_stats WHERE link_id = $1`, [link_id]))[0]?.confirmed_at ?? null;
    const customerOf40 = () => linkedElderlyCustomer(fixture, '1986-04-01');
    async function charged(customer: WaitingChargeCustomer, amount_yen: number, status: 'succeeded' | 'pending_approval') {
      const response = await chargeLink(fixture, customer, amount_yen);
      assert.equal(response.json().status, status, response.body);
      return response.json() as { id: string; amount_yen: number };
    }
    const reasonsOf = async (charge_id: string) =>
      (await fixture.db.query<{ risk_reasons: string[] }>(`SELECT risk_reasons FROM charges WHERE id = $1`, [charge_id]))[0]!.risk_reasons;

    test('¥29,999 on a new link goes through; the second ¥29,999 (¥59,998 unconfirmed) waits for the holder, with no money moved', async () => {
      const customer = await customerOf40();
      await charged(customer, 29_999, 'succeeded');
      assert.equal(await unconfirmedYen(customer.link_id), 29_999);
      const before = await balances(fixture, customer.account_id);
      const second = await charged(customer, 29_999, 'pending_approval');
      assert.ok((await reasonsOf(second.id)).includes('new_link_spending_unconfirmed'));
      assert.equal((await balances(fixture, customer.account_id)).posted_yen, before.posted_yen, 'nothing moved');
      assert.equal(await unconfirmedYen(customer.link_id), 29_999, 'a waiting charge is not counted until it moves');
    });

    test('¥20,000 twice and ¥10,000 (exactly ¥50,000) go through; the next ¥1 waits', async () => {
      const customer = await customerOf40();
      for (const amount of [20_000, 20_000, 10_000]) await charged(customer, amount, 'succeeded');
      assert.equal(await unconfirmedYen(customer.link_id), 50_000);
      await charged(customer, 1, 'pending_approval');
    });

    test('once the holder approves one waiting charge at the bank the link is confirmed: ¥29,999 twice more goes through', async () => {
      const customer = await customerOf40();
      await charged(customer, 29_999, 'succeeded');
      const waiting = await charged(customer, 29_999, 'pending_approval');
      const code = await stepUpCode(fixture, customer, waiting);
      assert.deepEqual(await fixture.bank.services.stepUp.approve(customer.customer_id, waiting.id, { amount_yen: 29_999, payee_operator_id: fixture.operator.id, factor: 'sms', code }),
        { ok: true, status: 'succeeded' });
      assert.ok(await confirmedAt(customer.link_id), 'the approval confirmed the link');
      await charged(customer, 29_999, 'succeeded');
      await charged(customer, 29_999, 'succeeded');
      assert.equal(await unconfirmedYen(customer.link_id), 29_999, 'nothing is counted on a confirmed link');
    });

    test('the window runs from the first charge: a link left unused for 40 days still waits at its second ¥29,999, and 30 days after the first charge it does not', async () => {
      const customer = await customerOf40();
      fixture.clock.advance(40 * DAY_MS);
      await charged(customer, 29_999, 'succeeded');
      await charged(customer, 29_999, 'pending_approval');
      fixture.clock.advance(30 * DAY_MS);
      await charged(customer, 29_999, 'succeeded');
    });

    test('a charge the holder declines counts for nothing, and the link it came through takes no more charges', async () => {
      const customer = await customerOf40();
      await charged(customer, 29_999, 'succeeded');
      const waiting = await charged(customer, 29_999, 'pending_approval');
      assert.deepEqual(await fixture.bank.services.stepUp.decline(customer.customer_id, waiting.id), { ok: true, status: 'declined' });
      assert.equal(await unconfirmedYen(customer.link_id), 29_999);
      const next = await chargeLink(fixture, customer, 1_000);
      assert.equal(next.statusCode, 403);
      assert.equal(next.json().code, 'link_frozen');
    });

    test('charges in one batch count each other: of two ¥29,999 decided together on a link that moved ¥29,999, the first reads ¥59,998 and the second ¥89,997', async () => {
      const customer = await customerOf40();
      await charged(customer, 29_999, 'succeeded');
      const [link] = await fixture.db.query<Link>(`SELECT ${LINK_COLUMNS} FROM links WHERE id = $1`, [customer.link_id]);
      const input = { link: link!, charge_yen_max: 100_000, amount_yen: 29_999, operator_registered_at: new Date(0), source_ip: '127.0.0.1', device_id: null };
      const sets = await fixture.db.transaction((tx) => loadChargeFeatures(tx, [input, input], fixture.clock.now()));
      assert.deepEqual(sets.map((set) => set.features.link_unconfirmed_yen), [59_998, 89_997]);
    });
  });
}
