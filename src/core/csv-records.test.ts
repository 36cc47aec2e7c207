import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitRecords } from './csv.ts';
import type { CsvRecord } from './csv.ts';
import { RecordCutter } from './csv-records.ts';

/** Feeds `text` to a cutter in pieces of `size` characters and splits each piece it gives back. */
function cutAndSplit(text: string, size: number, delimiter: string): CsvRecord[] {
  const cutter = new RecordCutter(delimiter);
  const records: CsvRecord[] = [];
  let lines = 0;
  const take = ({ text: piece, lineEnds }: { text: string; lineEnds: number }): void => {
    const split = splitRecords(piece, delimiter);
    assert.ok(split.ok, split.ok ? '' : split.reason);
    for (const record of split.records) records.push({ ...record, line: record.line + lines });
    lines += lineEnds;
  };
  for (let start = 0; start < text.length; start += size) take(cutter.push(text.slice(start, start + size)));
  take(cutter.end());
  return records;
}

void test('pieces cut at every chunk size give the records and lines of the whole text', () => {
  const text = [
    'time;"a; b";note',
    '2024-01-01 00:00;1,5;"two\r\nlines"',
    '',
    '2024-01-01 00:01;2;"say ""hi""; twice"',
    '  2024-01-01 00:02 ; 3 ;  "x"  ',
    '2024-01-01 00:03;4;a"b',
    '\r',
    '2024-01-01 00:04;5;"""\n"""',
    '2024-01-01 00:05;6;last',
  ].join('\r\n');
  const whole = splitRecords(text, ';');
  assert.ok(whole.ok);
  for (let size = 1; size <= text.length; size++)
    assert.deepEqual(cutAndSplit(text, size, ';'), whole.records, `chunks of ${size}`);
});

void test('holds a lone carriage return at the end of a chunk until it knows whether a line feed follows', () => {
  const cutter = new RecordCutter(',');
  assert.deepEqual(cutter.push('a,b\r'), { text: '', lineEnds: 0 });
  assert.deepEqual(cutter.push('\n1,2\n'), { text: 'a,b\r\n1,2\n', lineEnds: 2 });
  assert.deepEqual(cutter.end(), { text: '', lineEnds: 0 });
});
