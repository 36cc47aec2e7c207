import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  KeyedColumnBatch,
  newestTimestamp,
  numberColumns,
  readingArray,
  readingsWhere,
  sensorAt,
  sensorKeysOf,
  withSensorKeys,
} from './reading-batch.ts';
import { ReadingColumnsBuilder } from './reading-columns.ts';

const readings = [
  { sensor: 'a', ts: 1, value: 1 },
  { sensor: 'b', ts: 2, value: 2 },
];

test('a batch carries its sensor keys without changing how it serialises or iterates', () => {
  const batch = withSensorKeys([...readings], Int32Array.of(4, 9));
  assert.deepEqual([...(sensorKeysOf(batch) ?? [])], [4, 9]);
  assert.equal(JSON.stringify(batch), JSON.stringify(readings));
  assert.deepEqual(Object.keys(batch), ['0', '1']);
  assert.deepEqual([...batch], readings);
});

test('keys must be one per reading, and a batch filtered since has none', () => {
  assert.throws(() => withSensorKeys([...readings], Int32Array.of(1)), /1 sensor keys for 2 readings/);
  const batch = withSensorKeys([...readings], Int32Array.of(4, 9));
  assert.equal(sensorKeysOf(readingArray(batch).filter((reading) => reading.ts > 1)), undefined);
  assert.equal(sensorKeysOf(readings), undefined);
});

test('a batch of columns reads as the same readings as a batch of objects, and its number columns are copies', () => {
  const builder = new ReadingColumnsBuilder(1);
  for (const { sensor, ts, value } of readings) builder.push(sensor, ts, value);
  const columns = new KeyedColumnBatch(builder.columns(), Int32Array.of(4, 9));
  const objects = withSensorKeys([...readings], Int32Array.of(4, 9));
  for (const batch of [columns, objects]) {
    assert.equal(batch.length, 2);
    assert.deepEqual([...batch], readings);
    assert.deepEqual(readingArray(batch), readings);
    assert.deepEqual([...(sensorKeysOf(batch) ?? [])], [4, 9]);
    assert.deepEqual([sensorAt(batch, 0), sensorAt(batch, 1)], ['a', 'b']);
    assert.equal(newestTimestamp(batch), 2);
    assert.deepEqual(
      readingsWhere(batch, (sensor) => sensor === 'b'),
      [readings[1]],
    );
    assert.deepEqual(
      readingsWhere(batch, () => true),
      readings,
    );
    assert.deepEqual(
      readingsWhere(batch, () => false),
      [],
    );
    const numbers = numberColumns(batch);
    assert.deepEqual([...numbers.timestamps, ...numbers.values], [1, 2, 1, 2]);
    numbers.values[0] = 99;
    assert.equal(readingArray(batch)[0]?.value, 1, 'changing the columns handed out changes no reading');
  }
  assert.throws(
    () => new KeyedColumnBatch(builder.columns(), Int32Array.of(1)),
    /1 sensor keys for 2 readings/,
  );
});
