import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamSlots } from './stream-slots.ts';

void test('a key gets at most maxPerKey slots; releasing one frees it for that key', () => {
  const slots = new StreamSlots({ maxTotal: 10, maxPerKey: 2 });
  const first = slots.take('k1');
  const second = slots.take('k1');
  assert.ok(first.ok && second.ok);
  const third = slots.take('k1');
  assert.ok(!third.ok);
  assert.match(third.error, /already has 2 live streams open.*--max-streams-per-key/);
  assert.ok(slots.take('k2').ok, 'another key is not held up');
  first.release();
  first.release();
  assert.equal(slots.total, 2, 'a second release of the same slot counts nothing');
  assert.ok(slots.take('k1').ok);
});

void test('all keys together get at most maxTotal slots', () => {
  const slots = new StreamSlots({ maxTotal: 3, maxPerKey: 2 });
  const taken = ['a', 'a', 'b'].map((key) => slots.take(key));
  const refused = slots.take('c');
  assert.ok(!refused.ok);
  assert.match(refused.error, /already serves 3 live streams.*--max-streams/);
  const last = taken[2];
  assert.ok(last?.ok);
  last.release();
  assert.ok(slots.take('c').ok);
});

void test('rejects limits that are not positive integers', () => {
  assert.throws(() => new StreamSlots({ maxTotal: 0, maxPerKey: 1 }), /maxTotal must be a positive integer/);
  assert.throws(() => new StreamSlots({ maxTotal: 1, maxPerKey: 1.5 }), /maxPerKey/);
});
