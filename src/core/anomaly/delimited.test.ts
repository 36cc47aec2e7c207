import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDelimited, readNumericSeries } from './delimited.ts';

void test('reads quoted fields holding the delimiter instead of counting them as extra fields', () => {
  // Regression: '"x, 1"' was split at its comma ("row 2 has 4 fields, the header has 3").
  const parsed = parseDelimited('timestamp,value,note\r\n2024-01-01 00:00,1,"x, 1"\r\n', 'input.csv');
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  assert.equal(parsed.value.delimiter, ',');
  assert.deepEqual(parsed.value.rows, [['2024-01-01 00:00', '1', 'x, 1']]);
});

void test('chooses the delimiter from the header outside quotes and drops a byte-order mark', () => {
  const parsed = parseDelimited('\uFEFFtime;"a,b";c\n2024-01-01;1,5;2\n', 'input.csv');
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  assert.equal(parsed.value.delimiter, ';');
  assert.deepEqual(parsed.value.header, ['time', 'a,b', 'c']);
});

void test('numbers rows by their file line, counting blank lines and lines inside quoted fields', () => {
  const parsed = parseDelimited(
    'timestamp,value,note\n2024-01-01,1,"two\nlines"\n\n2024-01-02,2,x\n',
    'in.csv',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  assert.deepEqual(parsed.value.lines, [2, 5]);
});

void test('names the file line of a row with the wrong number of fields or an unclosed quote', () => {
  const short = parseDelimited('timestamp,value\n\n2024-01-01,1,2\n', 'input.csv');
  assert.equal(short.ok ? '' : short.reason, 'input.csv: line 3 has 3 fields, the header has 2');
  const open = parseDelimited('timestamp,value\n2024-01-01,"1\n', 'input.csv');
  assert.equal(open.ok ? '' : open.reason, 'input.csv: line 2: a quoted field is not closed');
  const empty = parseDelimited('\n  \n', 'input.csv');
  assert.equal(empty.ok ? '' : empty.reason, 'input.csv: empty file, expected a header line');
});

void test('reads the file line after a blank line into the error of a bad timestamp', () => {
  // Regression: the line after a blank one was reported as "row 3" (its data-row index + 2), not line 4.
  const parsed = parseDelimited('timestamp,value\n2014-03-07 00:00:00,1\n\nbad,2\n', 'blank.csv');
  assert.ok(parsed.ok);
  const series = readNumericSeries(parsed.value, 'blank.csv', ['value']);
  assert.equal(
    series.ok ? '' : series.reason,
    "blank.csv: line 4, field 'timestamp': 'bad' is not a timestamp",
  );
});

void test('refuses an empty value cell unless empty cells are allowed, then reads it as NaN', () => {
  const parsed = parseDelimited('timestamp,value\n2024-01-01,\n2024-01-02,3\n', 'input.csv');
  assert.ok(parsed.ok);
  const strict = readNumericSeries(parsed.value, 'input.csv', ['value']);
  assert.equal(strict.ok ? '' : strict.reason, "input.csv: line 2, field 'value': '' is not a finite number");
  const lenient = readNumericSeries(parsed.value, 'input.csv', ['value'], { allowEmpty: true });
  assert.ok(lenient.ok);
  assert.deepEqual([...(lenient.value.columns.get('value') ?? [])], [Number.NaN, 3]);
});
