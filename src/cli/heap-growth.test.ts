import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pacedTightly } from './heap-growth.ts';

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
