import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../shared/clock.ts';
import { createLabPhones } from './lab-phones.ts';
import { seededRandom } from './seeded-random.ts';
import { codeFromVictim, RELAY_SESSION_MINUTES_DEFAULT, type CodeAsked } from './victim-codes.ts';
import { FACTOR_REFUSAL_TEXT } from '../mfa/factor-refusal-text.ts';
import type { LabWorld } from './lab-world.ts';
import type { LabCustomer } from './lab-actor.ts';
import type { Holding } from './holdings.ts';

const PHONE = '090-1111-2222';
const WARNING = 'Never enter it on another site or read it out on the phone: the bank never asks for it.';

function setUp() {
  const clock = new ManualClock(new Date('2025-09-01T00:00:00Z'));
  const phones = createLabPhones({ clock });
  const world = { phones, totpCode: async () => '424242', now: () => clock.now() } as unknown as LabWorld;
  const victim = { person: { phone: PHONE } } as unknown as LabCustomer;
  const ask = (holds: Holding[], asked: Partial<CodeAsked>, heeds_share = 1) => codeFromVictim(world, seededRandom(1, 'test'), victim, new Set(holds), {
    factor: 'sms', purpose: 'consent', sent_since: clock.now(), names: ['PayPay'], heeds_share, ...asked,
  });
  return { clock, phones, ask };
}

describe('a victim’s one-time code as the lab’s thieves obtain it', () => {
  test('a thief holding the swapped number reads the code the bank texted after the request, whatever the text says', async () => {
    const { phones, ask } = setUp();
    await phones.send({ to_phone: PHONE, purpose: 'consent', text: `Code 123456: link your account to PayPay. ${WARNING}` });
    assert.deepEqual(await ask(['phone_number'], {}), { ok: true, code: '123456' });
  });

  test('a code texted before the request is not the one asked for: nothing is received', async () => {
    const { clock, phones, ask } = setUp();
    await phones.send({ to_phone: PHONE, purpose: 'consent', text: `Code 111111: link your account to PayPay. ${WARNING}` });
    clock.advance(60_000);
    assert.deepEqual(await ask(['phone_number'], { sent_since: clock.now() }), { ok: false, why: 'code_not_received' });
  });

  test('a request the bank refused with a SIM-swap page gives the refusal, not an older code', async () => {
    const { phones, ask } = setUp();
    await phones.send({ to_phone: PHONE, purpose: 'consent', text: `Code 222222: link your account to PayPay. ${WARNING}` });
    const page = `<p class="error" role="alert">${FACTOR_REFUSAL_TEXT.sim_swap_detected.ja}</p>`;
    assert.deepEqual(await ask(['phone_number'], { requested_page: page }), { ok: false, why: 'sim_swap_detected' });
  });

  test('a relaying victim who heeds stops at a text that names the operator and warns', async () => {
    const { phones, ask } = setUp();
    await phones.send({ to_phone: PHONE, purpose: 'consent', text: `Code 333333: link your account to PayPay. ${WARNING}` });
    assert.deepEqual(await ask(['relayed_code'], {}, 1), { ok: false, why: 'victim_heeded_message' });
    assert.deepEqual(await ask(['relayed_code'], {}, 0), { ok: true, code: '333333' }, 'a victim who never heeds types it in');
  });

  test('a text that names nothing, or names the operator without the warning, is relayed even by a victim who would heed', async () => {
    const { phones, ask } = setUp();
    await phones.send({ to_phone: PHONE, purpose: 'login', text: `Code 444444: signing in. ${WARNING}` });
    assert.deepEqual(await ask(['relayed_code'], { purpose: 'login' }, 1), { ok: true, code: '444444' });
    await phones.send({ to_phone: PHONE, purpose: 'consent', text: 'Code 555555: link your account to PayPay.' });
    assert.deepEqual(await ask(['relayed_code'], {}, 1), { ok: true, code: '555555' });
  });

  test('an authenticator app’s code reaches a thief only by relay; a swapped SIM does not show it', async () => {
    const { ask } = setUp();
    assert.deepEqual(await ask(['relayed_code'], { factor: 'totp' }), { ok: true, code: '424242' });
    assert.deepEqual(await ask(['phone_number'], { factor: 'totp' }), { ok: false, why: 'code_not_held' });
    assert.deepEqual(await ask(['password'], {}), { ok: false, why: 'code_not_held' }, 'holding neither, no SMS code either');
  });

  test('a relaying victim types codes for 30 minutes from the first one, then has left the fake page', async () => {
    const { clock, ask } = setUp();
    assert.deepEqual(await ask(['relayed_code'], { factor: 'totp' }), { ok: true, code: '424242' }, 'the first code opens the session');
    clock.advance(RELAY_SESSION_MINUTES_DEFAULT * 60_000);
    assert.deepEqual(await ask(['relayed_code'], { factor: 'totp' }), { ok: true, code: '424242' }, 'at 30 minutes still there');
    clock.advance(60_000);
    assert.deepEqual(await ask(['relayed_code'], { factor: 'totp' }), { ok: false, why: 'victim_left_fake_page' });
  });

  test('a scenario may keep the victim relaying longer (a thief who calls back), and a swapped SIM is read at any time', async () => {
    const { clock, phones, ask } = setUp();
    await ask(['relayed_code'], { factor: 'totp' });
    clock.advance(2 * 24 * 60 * 60_000);
    assert.deepEqual(await ask(['relayed_code'], { factor: 'totp', relay_session_minutes: 3 * 24 * 60 }), { ok: true, code: '424242' });
    await phones.send({ to_phone: PHONE, purpose: 'consent', text: `Code 666666: link your account to PayPay. ${WARNING}` });
    assert.deepEqual(await ask(['phone_number'], {}), { ok: true, code: '666666' });
  });
});
