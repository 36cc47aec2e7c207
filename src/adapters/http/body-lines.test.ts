import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LineDecoder, linePieces } from './body-lines.ts';

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
