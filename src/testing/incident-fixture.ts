import assert from 'node:assert/strict';
import type { TestBackend } from './test-databases.ts';
import { charge, createBankFixture, legacyLink, type BankFixture } from './bank-fixture.ts';
import { staffSession, type StaffSession } from './staff-session.ts';
import type { Incident } from '../incidents/incident.ts';

/** A bank fixture with the staff an incident needs (an admin, two analysts, a viewer) and an open incident on its operator. */
export interface IncidentFixture extends BankFixture {
  admin: StaffSession;
  /** The maker: proposes compensation. */
  analyst: StaffSession;
  /** The checker: approves what the first analyst proposed. */
  checker: StaffSession;
  viewer: StaffSession;
  incident: Incident;
}

/**
 * Builds the fixture. Risk runs in observe mode, so the stolen charges a test makes succeed at once (the risk
 * pipeline's own tests decide them); the incident covers the fixture's operator this month.
 */
export async function createIncidentFixture(backend: TestBackend, options: { listen?: boolean } = {}): Promise<IncidentFixture> {
  // No background job of its own: a notice the dispatcher marks sent between two fingerprints would read as a write
  // by the refusal in between (seen on PostgreSQL). Tests that send notices drive a dispatcher themselves.
  const fixture = await createBankFixture(backend, {
    risk: { mode: 'observe' }, waiting_charge_jobs: false, incident_jobs: false, ...(options.listen ? { listen: true } : { notice_polling: false }),
  });
  const admin = await staffSession(fixture, 'admin');
  const analyst = await staffSession(fixture, 'analyst');
  const checker = await staffSession(fixture, 'analyst');
  const viewer = await staffSession(fixture, 'viewer');
  const today = fixture.clock.now().toISOString().slice(0, 10);
  const incident = await fixture.bank.services.incidents.open(
    { title: 'ドコモ口座経由の不正出金 2026-11', operator_ids: [fixture.operator.id], period_from: '2026-10-01', period_to: today }, admin.id);
  return Object.assign(fixture, { admin, analyst, checker, viewer, incident });
}

/** Links the fixture customer the 2020 way and makes charges of these amounts through the link: the thief's pulls. */
export async function stolenCharges(fixture: BankFixture, amounts_yen: readonly number[]): Promise<{ link_id: string; link_token: string; charge_ids: string[] }> {
  const link = await legacyLink(fixture);
  assert.equal(link.response.statusCode, 201, link.response.body);
  const charge_ids: string[] = [];
  for (const [index, amount_yen] of amounts_yen.entries()) {
    const response = await charge(fixture, link.body.link_token, { amount_yen }, `stolen-${link.body.link.id}-${index}`);
    assert.equal(response.statusCode, 201, response.body);
    charge_ids.push((response.json() as { id: string }).id);
  }
  return { link_id: link.body.link.id, link_token: link.body.link_token, charge_ids };
}

/** Opens a fraud review over these charges, attaches it to the incident and, unless told otherwise, resolves it as fraud. */
export async function fraudCase(fixture: IncidentFixture, stolen: { link_id: string; charge_ids: string[] }, resolution: 'fraud' | 'legitimate' | 'open' = 'fraud'): Promise<string> {
  const { services } = fixture.bank;
  const case_id = await fixture.db.transaction((tx) => services.cases.openCase(tx, {
    kind: 'fraud_review', summary: '連携直後の高額引き落とし New link, then the maximum', opened_by: `staff:${fixture.analyst.id}`,
    customer_id: fixture.customer.id, link_id: stolen.link_id, operator_id: fixture.operator.id, charge_ids: stolen.charge_ids,
  }));
  await services.incidents.attachCases(fixture.incident.id, [case_id], fixture.analyst.id);
  if (resolution !== 'open') assert.equal(await services.cases.resolve(case_id, resolution, fixture.analyst.id, 'confirmed by phone'), 'done');
  return case_id;
}
