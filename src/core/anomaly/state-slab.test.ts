import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StateSlabs } from './state-slab.ts';

void test('states in one slab share its views and lie a stride apart; a full slab starts a new one', () => {
  const slabs = new StateSlabs(16, 3);
  const places = Array.from({ length: 4 }, () => slabs.allocate());
  assert.deepEqual(
    places.map((place) => place.byteOffset),
    [0, 16, 32, 0],
  );
  assert.equal(places[0]?.views, places[2]?.views);
  assert.notEqual(places[2]?.views, places[3]?.views);
  const views = places[0]?.views;
  assert.ok(views);
  assert.equal(views.buffer.byteLength, 48);
  for (const view of [views.float64, views.float32, views.int16, views.uint16, views.uint8])
    assert.equal(view.buffer, views.buffer);
  assert.ok(views.uint8.every((byte) => byte === 0));
});

void test('a released place is handed out again, zeroed, before a new one is carved', () => {
  const slabs = new StateSlabs(16, 2);
  const first = slabs.allocate();
  const second = slabs.allocate();
  first.views.uint8.fill(7, first.byteOffset, first.byteOffset + 16);
  second.views.uint8.fill(9, second.byteOffset, second.byteOffset + 16);
  slabs.release(first);
  assert.equal(slabs.live, 1);
  const again = slabs.allocate();
  assert.equal(again.views, first.views);
  assert.equal(again.byteOffset, first.byteOffset);
  assert.ok(again.views.uint8.subarray(again.byteOffset, again.byteOffset + 16).every((byte) => byte === 0));
  // The neighbour's state is untouched.
  assert.ok(second.views.uint8.subarray(16, 32).every((byte) => byte === 9));
  assert.equal(slabs.live, 2);
  const third = slabs.allocate();
  assert.notEqual(third.views, first.views, 'a full slab with nothing released starts a new one');
});

void test('refuses a stride that is not a positive multiple of 8 and an empty slab', () => {
  assert.throws(() => new StateSlabs(12, 4), /strideBytes = 12/);
  assert.throws(() => new StateSlabs(0, 4), /strideBytes = 0/);
  assert.throws(() => new StateSlabs(8, 0), /statesPerSlab = 0/);
});
