import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SensorTable } from './sensor-table.ts';
import type { AnomalyDetector } from '../../core/anomaly/detector.ts';

const detector = { update: () => 0, snapshot: () => new Uint8Array(0) } as unknown as AnomalyDetector;

void test('rows keep their columns when the table grows past its first capacity', () => {
  const table = new SensorTable();
  for (let index = 0; index < 3_000; index++) {
    const row = table.add(`s${index}`, detector, index, index % 2 === 0 ? null : index * 10, index % 3 === 0);
    assert.equal(row, index);
    table.ring[row] = index + 1;
  }
  assert.equal(table.size, 3_000);
  for (const index of [0, 1, 1_023, 1_024, 2_047, 2_999]) {
    const row = table.find(`s${index}`);
    assert.equal(row, index);
    assert.equal(table.idOf(index), `s${index}`);
    assert.equal(table.lastTs[index], index);
    assert.equal(table.alertedAt(index), index % 2 === 0 ? null : index * 10);
    assert.equal(table.isDirty(index), index % 3 === 0);
    assert.equal(table.ring[index], index + 1);
    assert.equal(table.longRing[index], -1);
    assert.equal(table.slot[index], -1);
  }
  assert.equal(table.find('s3000'), undefined);
});

void test('the dirty and used marks are set and cleared apart, and a reading sets both', () => {
  const table = new SensorTable();
  const row = table.add('pump-1', detector, Number.NEGATIVE_INFINITY, null, false);
  table.setUsed(row, true);
  assert.deepEqual([table.isDirty(row), table.isUsed(row)], [false, true]);
  table.setDirty(row, true);
  table.setUsed(row, false);
  assert.deepEqual([table.isDirty(row), table.isUsed(row)], [true, false]);
  table.setDirty(row, false);
  table.touch(row, 42);
  assert.deepEqual([table.isDirty(row), table.isUsed(row), table.lastTs[row]], [true, true, 42]);
});
