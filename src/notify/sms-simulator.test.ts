import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../shared/clock.ts';
import { createSmsSimulator, SMS_SIMULATOR_MESSAGES_MAX } from './sms-simulator.ts';
import { maskPhone } from './sms-channel.ts';
import { capturingLogger } from '../testing/capturing-logger.ts';

test('the simulator records messages per phone with the clock’s time and finds the newest code', async () => {
  const clock = new ManualClock('2026-11-10T01:00:00Z');
  const sms = createSmsSimulator({ clock });
  await sms.send({ to_phone: '090-1111-2222', text: 'code 111111', purpose: 'login' });
  clock.advance(1000);
  await sms.send({ to_phone: '090-1111-2222', text: 'code 222222', purpose: 'consent' });
  await sms.send({ to_phone: '080-3333-4444', text: 'code 333333', purpose: 'login' });
  assert.equal(sms.messages().length, 3);
  assert.deepEqual(sms.messages('090-1111-2222').map((m) => m.purpose), ['login', 'consent']);
  assert.equal(sms.messages('090-1111-2222')[1]!.sent_at.toISOString(), '2026-11-10T01:00:01.000Z');
  assert.equal(sms.lastCode('090-1111-2222'), '222222');
  assert.equal(sms.lastCode('090-1111-2222', 'login'), '111111');
  assert.equal(sms.lastCode('070-0000-0000'), undefined);
});

test('a message without a six-digit code has no code, and a seven-digit number is not one', async () => {
  const sms = createSmsSimulator({ clock: new ManualClock() });
  await sms.send({ to_phone: '090', text: 'locked, call 0120-000-0000 or 1234567', purpose: 'second_factor_locked' });
  assert.equal(sms.lastCode('090'), undefined);
});

test(`the simulator keeps at most ${SMS_SIMULATOR_MESSAGES_MAX} messages, dropping the oldest`, async () => {
  const sms = createSmsSimulator({ clock: new ManualClock() });
  for (let i = 0; i <= SMS_SIMULATOR_MESSAGES_MAX; i++) await sms.send({ to_phone: '090', text: `n${i}`, purpose: 'test' });
  assert.equal(sms.messages().length, SMS_SIMULATOR_MESSAGES_MAX);
  assert.equal(sms.messages()[0]!.text, 'n1');
  sms.clear();
  assert.equal(sms.messages().length, 0);
});

test('the simulator logs the masked phone and the purpose, never the text with its code', async () => {
  const { log, lines } = capturingLogger();
  const sms = createSmsSimulator({ clock: new ManualClock(), log });
  await sms.send({ to_phone: '090-1111-2222', text: 'your code 987654', purpose: 'login' });
  assert.equal(lines.length, 1);
  assert.doesNotMatch(lines[0]!, /987654/);
  assert.doesNotMatch(lines[0]!, /1111-2222/);
  assert.match(lines[0]!, /\*+2222/);
});

test('a phone is masked to its last four digits', () => {
  assert.equal(maskPhone('090-1234-5678'), '*******5678');
  assert.equal(maskPhone('123'), '****');
});
