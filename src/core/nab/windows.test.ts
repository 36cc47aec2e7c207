import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimestampMillis } from './timestamp.ts';
import { labelFile, probationRowCount } from './windows.ts';
import { scaledSigmoid } from './sigmoid.ts';

void test('the probationary period is 15 % of the rows, at most 750', () => {
  assert.equal(probationRowCount(1000), 150);
  assert.equal(probationRowCount(1001), 150);
  assert.equal(probationRowCount(22695), 750);
});

void test('windows open at the row equal to their start even when timestamps repeat or step back', () => {
  const times = [0, 1, 2, 3, 2, 3, 4, 5, 6, 7].map((m) => m * 60_000);
  const labels = labelFile(times, [{ startMillis: 2 * 60_000, endMillis: 4 * 60_000 }]);
  assert.deepEqual(labels.windows, [{ startRow: 2, endRow: 6 }]);
  assert.deepEqual([...labels.windowOfRow], [-1, -1, 0, 0, 0, 0, 0, -1, -1, -1]);
});

void test('outside weights: −1 before any window, rising from 0 towards −1 after one', () => {
  const times = Array.from({ length: 30 }, (_, i) => i * 1000);
  const labels = labelFile(times, [{ startMillis: 10_000, endMillis: 19_000 }]);
  assert.equal(labels.sigmoidOfRow[3], -1);
  assert.equal(labels.sigmoidOfRow[20], scaledSigmoid(1 / 9));
  assert.ok((labels.sigmoidOfRow[29] as number) < (labels.sigmoidOfRow[20] as number));
  assert.equal(labels.sigmoidOfRow[10], scaledSigmoid(-1));
});

void test('parses NAB, ISO and epoch timestamps as UTC', () => {
  assert.equal(parseTimestampMillis('2014-04-10 07:15:00'), Date.UTC(2014, 3, 10, 7, 15));
  assert.equal(parseTimestampMillis('2014-04-10 07:15:00.000000'), Date.UTC(2014, 3, 10, 7, 15));
  assert.equal(parseTimestampMillis('2014-04-10T07:15:00+02:00'), Date.UTC(2014, 3, 10, 5, 15));
  assert.equal(parseTimestampMillis('1700000000'), 1_700_000_000_000);
  assert.equal(parseTimestampMillis('yesterday'), undefined);
});
