import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../shared/clock.ts';
import { createLabEngine } from './lab-engine.ts';

const START = new Date('2020-08-01T00:00:00Z');
const at = (minutes: number) => new Date(START.getTime() + minutes * 60_000);

function engine(resolution_minutes: number, end_minutes = 24 * 60) {
  const clock = new ManualClock(START);
  const log: { actor: string; label: string; clock_minutes: number; step: number }[] = [];
  let step = 0;
  const lab = createLabEngine({ clock, resolution_ms: resolution_minutes * 60_000, end: at(end_minutes), afterStep: async () => void step++ });
  const move = (actor: string, label: string, minutes: number, exact = false) =>
    lab.at(actor, at(minutes), async () => void log.push({ actor, label, clock_minutes: (clock.now().getTime() - START.getTime()) / 60_000, step }), { exact });
  return { clock, lab, log, move };
}

test('moves of different actors within the resolution run in one step at the first one’s time; later ones wait', async () => {
  const { lab, log, move } = engine(60);
  move('b', 'b1', 30);
  move('a', 'a1', 10);
  move('c', 'c1', 70);
  assert.deepEqual(await lab.run(), { steps: 2, moves: 3 });
  assert.deepEqual(log.map((entry) => [entry.label, entry.clock_minutes, entry.step]), [['a1', 10, 0], ['b1', 10, 0], ['c1', 70, 1]]);
});

test("one actor's moves never run side by side, and an exact move never runs before its time", async () => {
  const { lab, log, move } = engine(60);
  move('a', 'first', 0);
  move('a', 'second', 5);
  move('b', 'exact', 20, true);
  await lab.run();
  const byLabel = Object.fromEntries(log.map((entry) => [entry.label, entry]));
  assert.equal(byLabel.first!.clock_minutes, 0);
  assert.ok(byLabel.second!.step > byLabel.first!.step, 'the same actor waits for the next step');
  assert.equal(byLabel.exact!.clock_minutes, 20, 'the exact move ran at its own time, not early');
});

test('a move planned during a step joins a later one; the clock only moves forward; moves at or after the end never run', async () => {
  const { clock, lab, log, move } = engine(60, 120);
  lab.at('a', at(0), async () => {
    move('a', 'follow-up', 30, true);
    move('b', 'in the past', -500);
  });
  move('c', 'too late', 120);
  await lab.run();
  assert.deepEqual(log.map((entry) => [entry.label, entry.clock_minutes]), [['in the past', 0], ['follow-up', 30]]);
  assert.equal(clock.now().getTime(), at(30).getTime());
});

test('the same plan runs in the same order, whatever order moves were planned in within a time', async () => {
  const orders: string[][] = [];
  for (const actors of [['x', 'y', 'z'], ['z', 'y', 'x']]) {
    const { lab, log, move } = engine(1);
    for (const actor of actors) move(actor, actor, 5);
    await lab.run();
    orders.push(log.map((entry) => entry.label));
  }
  assert.deepEqual(orders[0], orders[1]);
});
