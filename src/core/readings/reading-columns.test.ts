import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ReadingColumnsBuilder, readingsOf } from './reading-columns.ts';

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
