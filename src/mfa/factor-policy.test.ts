import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FactorView } from './second-factor.ts';
import { factorsForAct, factorsForNewLinkCharge, NEW_FACTOR_COOLING_OFF_MS, NEW_LINK_CODE_COOLING_OFF_MS, type FactorAct } from './factor-policy.ts';

const NOW = new Date('2026-11-21T12:00:00Z');
const MINUTE_MS = 60_000;
const ACTS: FactorAct[] = ['link', 'step_up', 'enrol_factor'];

const sms: FactorView = { factor: 'sms', status: 'active', failures_consecutive: 0, enrolled_at: new Date('2020-01-01T00:00:00Z'), locked_at: null, phone_masked: '***-****-2222' };
const totpEnrolled = (ago_ms: number, status: FactorView['status'] = 'active'): FactorView => ({
  factor: 'totp', status, failures_consecutive: 0, enrolled_at: new Date(NOW.getTime() - ago_ms), locked_at: status === 'locked' ? NOW : null,
});
const allowed = (factors: FactorView[], act: FactorAct) => factorsForAct(factors, act, NOW).allowed.map((factor) => factor.factor);

describe('the factor policy', () => {
  test('a customer with SMS only approves links, step-ups and a new factor by SMS', () => {
    for (const act of ACTS) assert.deepEqual(allowed([sms], act), ['sms'], act);
  });

  test('SMS alone approves no link, step-up or new factor once an authenticator is enrolled past its cooling-off', () => {
    for (const act of ACTS) {
      const decided = factorsForAct([totpEnrolled(2 * NEW_FACTOR_COOLING_OFF_MS), sms], act, NOW);
      assert.deepEqual(decided.allowed.map((factor) => factor.factor), ['totp'], act);
      assert.deepEqual(decided.refused, [{ factor: 'sms', reason: 'stronger_factor_enrolled' }], act);
    }
  });

  test('a locked authenticator still shuts out SMS: locking it with wrong codes gives a thief no way back to SMS', () => {
    for (const act of ACTS) assert.deepEqual(allowed([totpEnrolled(2 * NEW_FACTOR_COOLING_OFF_MS, 'locked'), sms], act), [], act);
  });

  test('an authenticator 23 h 59 min old is in its cooling-off: it approves nothing, and the older SMS still works', () => {
    for (const act of ACTS) {
      const decided = factorsForAct([totpEnrolled(NEW_FACTOR_COOLING_OFF_MS - MINUTE_MS), sms], act, NOW);
      assert.deepEqual(decided.allowed.map((factor) => factor.factor), ['sms'], act);
      assert.deepEqual(decided.refused, [{ factor: 'totp', reason: 'factor_cooling_off', usable_from: new Date(NOW.getTime() + MINUTE_MS) }], act);
    }
  });

  test('an authenticator 24 h 01 min old approves, and SMS no longer does', () => {
    for (const act of ACTS) assert.deepEqual(allowed([totpEnrolled(NEW_FACTOR_COOLING_OFF_MS + MINUTE_MS), sms], act), ['totp'], act);
  });

  test('the cooling-off ends exactly 24 h after enrolment', () => {
    assert.deepEqual(allowed([totpEnrolled(NEW_FACTOR_COOLING_OFF_MS), sms], 'step_up'), ['totp']);
    assert.deepEqual(allowed([totpEnrolled(NEW_FACTOR_COOLING_OFF_MS - 1), sms], 'step_up'), ['sms']);
  });

  test('a pending authenticator (shown, not confirmed) approves nothing and does not shut out SMS', () => {
    assert.deepEqual(allowed([totpEnrolled(2 * NEW_FACTOR_COOLING_OFF_MS, 'pending'), sms], 'step_up'), ['sms']);
  });

  test('a locked SMS factor is offered for nothing', () => {
    assert.deepEqual(allowed([{ ...sms, status: 'locked' }], 'link'), []);
  });
});

describe('typed codes on a new link\'s charges', () => {
  const passkey: FactorView = { factor: 'passkey', status: 'active', failures_consecutive: 0, enrolled_at: new Date('2025-01-01T00:00:00Z'), locked_at: null };
  const onLinkMade = (factors: FactorView[], ago_ms: number) =>
    factorsForNewLinkCharge(factorsForAct(factors, 'step_up', NOW), new Date(NOW.getTime() - ago_ms), NOW);

  test('on a link made 23 h 59 min ago neither SMS nor an authenticator approves, each refused until the link is a day old', () => {
    const link_age = NEW_LINK_CODE_COOLING_OFF_MS - MINUTE_MS;
    const usable_from = new Date(NOW.getTime() + MINUTE_MS);
    assert.deepEqual(onLinkMade([sms], link_age), { allowed: [], refused: [{ factor: 'sms', reason: 'new_link_cooling_off', usable_from }] });
    const choices = onLinkMade([totpEnrolled(2 * NEW_FACTOR_COOLING_OFF_MS), sms], link_age);
    assert.deepEqual(choices.allowed, []);
    assert.deepEqual(choices.refused.map((refusal) => [refusal.factor, refusal.reason]), [['sms', 'stronger_factor_enrolled'], ['totp', 'new_link_cooling_off']]);
  });

  test('a passkey approves a charge on a link made a minute ago, and shuts out SMS as before', () => {
    const choices = onLinkMade([passkey, sms], MINUTE_MS);
    assert.deepEqual(choices.allowed.map((factor) => factor.factor), ['passkey']);
    assert.deepEqual(choices.refused.map((refusal) => refusal.reason), ['stronger_factor_enrolled']);
  });

  test('the cooling-off ends exactly a day after the link: then codes approve as the factor policy says', () => {
    assert.deepEqual(onLinkMade([sms], NEW_LINK_CODE_COOLING_OFF_MS).allowed.map((factor) => factor.factor), ['sms']);
    assert.deepEqual(onLinkMade([sms], NEW_LINK_CODE_COOLING_OFF_MS - 1).allowed, []);
  });

  test('a cooling-off of 0 (the setting that turns it off) leaves the choices as they were', () => {
    const choices = factorsForAct([sms], 'step_up', NOW);
    assert.equal(factorsForNewLinkCharge(choices, NOW, NOW, 0), choices);
  });
});
