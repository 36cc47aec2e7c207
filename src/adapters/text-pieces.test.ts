import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseJsonThen, type ParseOutcome } from '../core/ingest/validation.ts';
import { LineDecoder, jsonArrayPieces, pieceBytes } from './text-pieces.ts';

/** `bytes` decoded in pieces as `LineDecoder` makes them from one chunk. */
function linePieces(bytes: Buffer, size = pieceBytes): string[] {
  const decoder = new LineDecoder(size);
  decoder.push(bytes);
  return decoder.end();
}

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

/** Checks the pieces' contract: each but the last ends after a newline, and together they are `text`. */
function assertPieces(pieces: readonly string[], text: string): void {
  for (const piece of pieces.slice(0, -1)) assert.ok(piece.endsWith('\n'), JSON.stringify(piece));
  assert.equal(pieces.join(''), text);
}

void test('a body is decoded in pieces of about the size asked, each ending after a newline', () => {
  const text = Array.from({ length: 50 }, (_, i) => `m,sensor=s${i} value=${i}\n`).join('') + 'last value=1';
  const pieces = linePieces(Buffer.from(text), 64);
  assertPieces(pieces, text);
  assert.ok(pieces.length > 10, `${pieces.length} pieces`);
  const longestLine = 24;
  for (const piece of pieces) assert.ok(piece.length <= 64 + longestLine, `${piece.length}`);
  // A line longer than the piece size stays whole.
  const long = `${'x'.repeat(200)}\nshort\n`;
  assert.deepEqual(linePieces(Buffer.from(long), 64), [`${'x'.repeat(200)}\n`, 'short\n']);
  assert.deepEqual(linePieces(Buffer.alloc(0)), []);
});

void test('characters of several UTF-8 bytes are whole whichever byte a chunk ends on', () => {
  const text = 'm,sensor=café value=1\nm,sensor=€uro value=2\nm,sensor=🌉 value=3\nm,sensor=ü value=4';
  const bytes = Buffer.from(text);
  for (let first = 1; first < bytes.length; first++) {
    for (let second = first + 1; second < bytes.length; second += 7) {
      const decoder = new LineDecoder(8);
      decoder.push(bytes.subarray(0, first));
      decoder.push(bytes.subarray(first, second));
      decoder.push(bytes.subarray(second));
      assertPieces(decoder.end(), text);
    }
  }
});

void test('a byte-order mark opening the body is dropped, one inside it is kept', () => {
  const decoder = new LineDecoder();
  decoder.push(Buffer.from([0xef, 0xbb]));
  decoder.push(Buffer.from([0xbf, ...Buffer.from('a value=1\n\ufeffb value=2')]));
  assert.deepEqual(decoder.end().join(''), 'a value=1\n\ufeffb value=2');
});

void test('any split of any text into chunks gives pieces that are the text, in order', () => {
  const line = fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replaceAll('\n', ' '));
  fc.assert(
    fc.property(
      fc.array(line, { maxLength: 30 }),
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 8 }),
      fc.integer({ min: 1, max: 100 }),
      (lines, trailingNewline, cuts, size) => {
        const text = lines.join('\n') + (trailingNewline && lines.length > 0 ? '\n' : '');
        const bytes = Buffer.from(text);
        const at = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
        const decoder = new LineDecoder(size);
        let start = 0;
        for (const cut of [...at, bytes.length]) {
          decoder.push(bytes.subarray(start, cut));
          start = cut;
        }
        assertPieces(decoder.end(), text.startsWith('\ufeff') ? text.slice(1) : text);
      },
    ),
  );
});
