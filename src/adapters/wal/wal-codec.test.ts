import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeWalSegment, encodeWalRecord } from './wal-codec.ts';

test('a record reads back as written: ids of 1- to 4-byte characters (a lone surrogate as U+FFFD), keys and numbers', () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), { maxLength: 6 }),
      fc.array(fc.tuple(fc.nat(), fc.double(), fc.double()), { maxLength: 20 }),
      (ids, rows) => {
        const defines = ids.map((id, key) => [key, id] as const);
        const record = encodeWalRecord({
          defines,
          keys: Uint32Array.from(rows.map(([key]) => key)),
          timestamps: Float64Array.from(rows.map(([, ts]) => ts)),
          values: Float64Array.from(rows.map(([, , value]) => value)),
          length: rows.length,
        });
        const decoded = decodeWalSegment(record);
        assert.equal(decoded.batches.length, 1);
        const batch = decoded.batches[0];
        assert.deepEqual(
          batch?.defines,
          // What UTF-8 can carry: a lone surrogate becomes U+FFFD, as TextEncoder writes it.
          defines.map(([key, id]) => [key, new TextDecoder().decode(new TextEncoder().encode(id))]),
        );
        assert.deepEqual(
          [...(batch?.keys ?? [])],
          rows.map(([key]) => key),
        );
        assert.deepEqual(
          [...(batch?.timestamps ?? [])],
          rows.map(([, ts]) => ts),
        );
        assert.deepEqual(
          [...(batch?.values ?? [])],
          rows.map(([, , value]) => value),
        );
      },
    ),
  );
  assert.deepEqual(
    decodeWalSegment(
      encodeWalRecord({
        defines: [[7, 'pompe-é-水-😀']],
        keys: Uint32Array.of(7),
        timestamps: Float64Array.of(1),
        values: Float64Array.of(2),
        length: 1,
      }),
    ).batches[0]?.defines,
    [[7, 'pompe-é-水-😀']],
  );
});
