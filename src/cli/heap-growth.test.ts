import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectNow, pacedTightly } from './heap-growth.ts';

const target = 1_000;

void test('heaps are paced tightly from three quarters of the memory target, not before', () => {
  assert.equal(pacedTightly(740, target, false), false);
  assert.equal(pacedTightly(750, target, false), true);
  assert.equal(pacedTightly(2_000, target, false), true);
});

void test('once tight, the heaps are let go only below 60 % of the target, so one edge does not flap', () => {
  assert.equal(pacedTightly(700, target, true), true, 'between 60 and 75 %: stays as it was');
  assert.equal(pacedTightly(700, target, false), false, 'between 60 and 75 %: stays as it was');
  assert.equal(pacedTightly(599, target, true), false);
});

void test('a full collection can be asked for at once: garbage goes without waiting for the heap limit', () => {
  // Built and dropped inside a function: unreachable once it returns.
  const heldWhileBuilt = () => {
    const garbage = Array.from({ length: 2_000_000 }, (_, index) => ({ index }));
    assert.equal(garbage.length, 2_000_000);
    return process.memoryUsage().heapUsed;
  };
  const held = heldWhileBuilt();
  collectNow();
  const after = process.memoryUsage().heapUsed;
  assert.ok(held - after > 40_000_000, `heap used ${held} → ${after} bytes`);
});
