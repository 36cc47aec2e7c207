import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ParsedBatch } from './reading.ts';
import { BatchJoiner, ColumnarBatch, ReadingColumnsBuilder, readingsOf } from './reading-columns.ts';

test('columns hold every reading pushed, in order, whatever the first capacity (they grow)', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.string({ minLength: 1 }), fc.double({ noNaN: true }), fc.double({ noNaN: true })),
        {
          maxLength: 300,
        },
      ),
      fc.integer({ min: 0, max: 40 }),
      (rows, capacity) => {
        const builder = new ReadingColumnsBuilder(capacity);
        for (const [sensor, ts, value] of rows) builder.push(sensor, ts, value);
        const columns = builder.columns();
        assert.equal(columns.length, rows.length);
        assert.equal(columns.timestamps.length, rows.length, 'the number columns end at the last reading');
        assert.deepEqual(
          readingsOf(columns),
          rows.map(([sensor, ts, value]) => ({ sensor, ts, value })),
        );
      },
    ),
  );
});

test('joined batches keep every reading in order, as columns while each batch has them, then as objects', () => {
  const columnar = (sensors: string[]): ParsedBatch => {
    const builder = new ReadingColumnsBuilder(1);
    sensors.forEach((sensor, index) => builder.push(sensor, index, index));
    return new ColumnarBatch(builder.columns(), [
      { index: 9, field: 'value', value: 'x', rule: 'not-a-number', message: 'm' },
    ]);
  };
  const plain = (sensors: string[]): ParsedBatch => ({
    readings: sensors.map((sensor, index) => ({ sensor, ts: index, value: index })),
    rejected: [],
  });
  const lone = new BatchJoiner();
  const only = columnar(['a']);
  lone.add(only);
  assert.equal(lone.batch(), only, 'a lone batch is handed on as it is');

  const joined = new BatchJoiner();
  joined.add(columnar(['a', 'b']));
  joined.add(columnar(['c']));
  assert.equal(joined.readings, 3);
  const columns = joined.batch();
  assert.equal(columns.columns?.length, 3, 'columns while every batch has them');
  assert.deepEqual(
    columns.readings.map((reading) => reading.sensor),
    ['a', 'b', 'c'],
  );
  assert.equal(columns.rejected.length, 2);

  const mixed = new BatchJoiner();
  mixed.add(columnar(['a']));
  mixed.add(columnar(['b']));
  mixed.add(plain(['c', 'd']));
  mixed.add(columnar(['e']));
  const objects = mixed.batch();
  assert.equal(objects.columns, undefined, 'objects from the first batch without columns');
  assert.deepEqual(
    objects.readings.map((reading) => reading.sensor),
    ['a', 'b', 'c', 'd', 'e'],
  );
  assert.equal(new BatchJoiner().batch().readings.length, 0);
});
