import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRecord, splitRecords } from './csv.ts';

function records(text: string, delimiter = ','): { line: number; fields: string[] }[] {
  const result = splitRecords(text, delimiter);
  assert.ok(result.ok, result.ok ? '' : `line ${result.line}: ${result.reason}`);
  return result.records;
}

void test('keeps the delimiter, doubled quotes and line ends inside a quoted field', () => {
  assert.deepEqual(records('a,b,c\n1,"x, 1","say ""hi"""\n2,"two\r\nlines",z\n'), [
    { line: 1, fields: ['a', 'b', 'c'] },
    { line: 2, fields: ['1', 'x, 1', 'say "hi"'] },
    { line: 3, fields: ['2', 'two\r\nlines', 'z'] },
  ]);
});

void test('accepts CRLF, LF and CR line ends and numbers records by the line they start on', () => {
  assert.deepEqual(records('a;b\r\n1;2\r\n\r\n3;4\r5;6', ';'), [
    { line: 1, fields: ['a', 'b'] },
    { line: 2, fields: ['1', '2'] },
    { line: 4, fields: ['3', '4'] },
    { line: 5, fields: ['5', '6'] },
  ]);
});

void test('trims unquoted fields, drops blanks around quotes and keeps blanks inside them', () => {
  assert.deepEqual(records(' 1 , " x " ,\n   \n,\n'), [
    { line: 1, fields: ['1', ' x ', ''] },
    { line: 3, fields: ['', ''] },
  ]);
});

void test('names the line of a quoted field that is never closed and of text after a closing quote', () => {
  assert.deepEqual(splitRecords('a,b\n1,"open\n2,3\n', ','), {
    ok: false,
    line: 2,
    reason: 'a quoted field is not closed',
  });
  assert.deepEqual(splitRecords('a,b\n1,"x"y\n', ','), {
    ok: false,
    line: 2,
    reason: "'y' after the closing quote of a field",
  });
});

void test('quotes on output exactly the fields that need it, so they read back unchanged', () => {
  const fields = ['plain', 'x, 1', 'say "hi"', 'two\nlines', ' edge ', '1;5', ''];
  const line = formatRecord(fields, ',');
  assert.equal(line, 'plain,"x, 1","say ""hi""","two\nlines"," edge ",1;5,');
  assert.deepEqual(records(line), [{ line: 1, fields }]);
  assert.equal(formatRecord(['1;5', '2,5'], ';'), '"1;5";2,5');
});
