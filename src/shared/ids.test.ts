import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIds } from './ids.ts';
import { ManualClock } from './clock.ts';

test('ids made under a frozen clock still sort in the order they were made', () => {
  const ids = createIds(new ManualClock('2026-11-21T00:00:00Z'));
  const made = Array.from({ length: 1000 }, () => ids.next());
  assert.deepEqual([...made].sort(), made);
  assert.equal(new Set(made).size, made.length);
});

test('ids carry the clock’s time, so an id made later in simulated time sorts after', () => {
  const clock = new ManualClock('2026-11-21T00:00:00Z');
  const ids = createIds(clock);
  const first = ids.next();
  clock.advance(1);
  const second = ids.next();
  assert.ok(first < second);
  assert.equal(parseInt(second.replaceAll('-', '').slice(0, 12), 16), Date.parse('2026-11-21T00:00:00.001Z'));
});
