import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOutageEnd, Outages } from './outages.ts';

test('the first failure opens an outage, later ones are counted, the first success closes it', () => {
  let now = 1_000;
  const outages = new Outages<string>(() => now);
  assert.equal(outages.failed('store'), true);
  assert.equal(outages.failed('store'), false);
  assert.equal(outages.failed('other'), true);
  assert.equal(outages.isDown('store'), true);
  now = 3_500;
  const end = outages.succeeded('store');
  assert.deepEqual(end, { seconds: 2.5, failures: 2 });
  assert.equal(describeOutageEnd(end!), '2.5 s, 2 failures');
  assert.equal(outages.succeeded('store'), undefined, 'nothing open any more');
  assert.equal(outages.isDown('other'), true);
});
