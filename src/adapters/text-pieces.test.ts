import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseJsonThen, type ParseOutcome } from '../core/ingest/validation.ts';
import { jsonArrayPieces } from './text-pieces.ts';

/** What `parseJsonThen` hands its validator, or the malformed outcome. */
function parsed(body: Parameters<typeof parseJsonThen>[0]): unknown {
  let seen: unknown;
  const outcome = parseJsonThen(body, (value): ParseOutcome => {
    seen = value;
    return { ok: true, batch: { readings: [], rejected: [] } };
  });
  return outcome.ok ? seen : outcome;
}

void test('a large JSON array is cut after `},` about every piece size, and parses as the whole', () => {
  const items = Array.from({ length: 400 }, (_, i) => ({ sensor: `s-${i % 9}`, ts: i, value: i / 3 }));
  const whole = JSON.stringify(items);
  const body = Buffer.from(`\n ${whole} \r\n`);
  const pieces = jsonArrayPieces(body, 1_000);
  assert.equal(body.toString(), `\n ${whole} \r\n`, 'the bytes are as given');
  assert.ok(pieces !== undefined && pieces.items.length > 10, `${pieces?.items.length} pieces`);
  for (const piece of pieces.items)
    assert.ok(piece.startsWith('[{') && piece.endsWith('}]'), piece.slice(-20));
  assert.deepEqual(parsed(pieces), items);
});

void test('a small body, one that is not an array, or one opened by a byte-order mark is not cut', () => {
  const array = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ v: i })));
  assert.equal(jsonArrayPieces(Buffer.from(array)), undefined);
  assert.equal(jsonArrayPieces(Buffer.from(`{"a":${array}}`), 64), undefined);
  assert.equal(jsonArrayPieces(Buffer.from(`\ufeff${array}`), 64), undefined);
  assert.equal(jsonArrayPieces(Buffer.from(`[${'1,'.repeat(100)}1]`), 64), undefined, 'no `},` to cut at');
});

void test('any JSON array cut into pieces parses as the whole, whatever its strings and nesting hold', () => {
  const tricky = fc.constantFrom('},{', '},', '"},"', '\\\\"},{', 'é€🌉', ']');
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    tricky,
    fc.record({ s: tricky, n: fc.jsonValue({ maxDepth: 2 }) }),
  );
  fc.assert(
    fc.property(fc.array(value, { maxLength: 30 }), fc.integer({ min: 1, max: 200 }), (items, size) => {
      const whole = Buffer.from(JSON.stringify(items));
      const pieces = jsonArrayPieces(whole, size);
      assert.equal(whole.toString(), JSON.stringify(items));
      assert.deepEqual(parsed(pieces ?? whole.toString()), parsed(whole.toString()));
    }),
  );
});
