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

void test('refuses a stride that is not a positive multiple of 8 and an empty slab', () => {
  assert.throws(() => new StateSlabs(12, 4), /strideBytes = 12/);
  assert.throws(() => new StateSlabs(0, 4), /strideBytes = 0/);
  assert.throws(() => new StateSlabs(8, 0), /statesPerSlab = 0/);
});
