import assert from 'node:assert/strict';
import { charge, legacyLink, type BankFixture } from './bank-fixture.ts';

/** Where the attacker of `disputedLink` links and charges from. */
export const ATTACKER_SOURCE = { ip: '203.0.113.9', device_id: 'dev-attacker-1' };

let serial = 0;

/** A customer of the fixture bank with an honest link and a stolen one, two held charges on it and a "not me" report. */
export interface DisputedLink {
  customer_id: string;
  honest_link_id: string;
  link_id: string;
  link_token: string;
  /** The two ¥100,000 charges the risk step held, oldest first. */
  held_charge_ids: [string, string];
  /** The dispute case the report opened. */
  case_id: string;
}

/**
 * The 2020 pattern end to end through the bank's own entry points: an elderly customer links a wallet from her phone;
 * an hour later an attacker gets her PIN wrong once, links from their own IP and device, and tries ¥100,000 twice
 * (both held for staff); the customer clicks "not me" in the link notice, which freezes the link and opens a dispute.
 */
export async function disputedLink(fixture: BankFixture): Promise<DisputedLink> {
  const n = ++serial;
  const { core } = fixture.bank.services;
  const account_number = String(3_100_000 + n);
  const person = await core.openCustomer({
    name_kanji: `被害 花子${n}`, name_kana: 'ヒガイ ハナコ', birth_date: '1947-05-01', phone: `080-7100-${String(1000 + n)}`,
    email: `higai${n}@example.jp`, address: '宮城県仙台市', login_id: `higai${n}`, password: 'correct horse battery',
  });
  const account = await core.openAccount({ customer_id: person.id, branch_code: '003', account_number, pin: '2468' });
  await core.deposit(account.id, 900_000, '年金');
  const fields = { branch_code: '003', account_number, pin: '2468', name_kana: 'ヒガイ ハナコ', birth_date: '1947-05-01' };
  const honest = await legacyLink(fixture, fields, { ip: '198.51.100.20', device_id: 'dev-own-phone' });
  assert.equal(honest.response.statusCode, 201, honest.response.body);
  fixture.clock.advance(60 * 60_000);
  assert.equal((await legacyLink(fixture, { ...fields, pin: '0000' }, ATTACKER_SOURCE)).response.statusCode, 422);
  const stolen = await legacyLink(fixture, fields, ATTACKER_SOURCE);
  assert.equal(stolen.response.statusCode, 201, stolen.response.body);
  const held: string[] = [];
  for (const attempt of [1, 2]) {
    fixture.clock.advance(2 * 60_000);
    const response = await charge(fixture, stolen.body.link_token, { amount_yen: 100_000 }, `disputed-${n}-${attempt}`);
    assert.equal(response.json().status, 'held', response.body);
    held.push(response.json().id);
  }
  fixture.clock.advance(3 * 60_000);
  const [notice] = await fixture.db.query<{ id: string; created_at: Date }>(
    `SELECT id, created_at FROM notification_outbox WHERE customer_id = $1 AND template = 'link_created' AND data->>'link_id' = $2`, [person.id, stolen.body.link.id]);
  assert.ok(notice, 'the link wrote its notice');
  const outcome = await fixture.bank.services.notMe.report(await fixture.bank.services.notMeTokens.sign(notice));
  assert.ok(outcome.ok);
  const [report] = await fixture.db.query<{ case_id: string }>(`SELECT case_id FROM not_me_reports WHERE link_id = $1`, [stolen.body.link.id]);
  assert.ok(report?.case_id, 'the report opened a case');
  return {
    customer_id: person.id, honest_link_id: honest.body.link.id, link_id: stolen.body.link.id, link_token: stolen.body.link_token,
    held_charge_ids: [held[0]!, held[1]!], case_id: report.case_id,
  };
}
