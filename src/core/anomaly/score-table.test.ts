import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDelimited } from './delimited.ts';
import { LEARNING_POINTS, findDetector } from './registry.ts';
import { scoreSeries } from './score-series.ts';
import { TableSurvey, scoreTable } from './score-table.ts';
import { noiseSource } from './synthetic.test-helpers.ts';

const spec = findDetector('rarity');

function table(text: string) {
  const parsed = parseDelimited(text, 'input.csv');
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  return parsed.value;
}

void test('appends anomaly_score and detection to every row, keeping the semicolon delimiter', () => {
  assert.ok(spec);
  const noise = noiseSource(11);
  const rows = ['time;a;b'];
  for (let i = 0; i < 1500; i++) {
    const a = 10 + noise() + (i >= 1200 ? 8 : 0);
    // Five-minute readings with a daily cycle: the learning period (750 readings) spans 2.6 cycles.
    // (With one-minute readings it would not cover the first cycle, and a cycle's first lows raise
    // alarms: the range rule sees never-seen readings.)
    const b = 5 + 3 * Math.sin((2 * Math.PI * i) / 288) + noise();
    rows.push(
      `${new Date(Date.UTC(2024, 0, 1) + i * 300_000).toISOString()};${a.toFixed(3)};${b.toFixed(3)}`,
    );
  }
  const result = scoreTable(spec, table(rows.join('\n')), 'input.csv', spec.threshold);
  assert.ok(result.ok);
  const lines = result.value.text.trim().split('\n');
  assert.equal(lines.length, 1501);
  assert.equal(lines[0], 'time;a;b;anomaly_score;detection');
  assert.deepEqual(result.value.columns, ['a', 'b']);
  const detections = lines.slice(1).map((line) => line.split(';')[4]);
  assert.ok(detections.slice(1200, 1220).includes('1'), 'the step in column a is detected');
  assert.ok(
    !detections.slice(LEARNING_POINTS, 1200).includes('1'),
    'no detection between the learning period and the step',
  );
});

void test('names the line, column and value of a bad number when it leaves no column to score', () => {
  assert.ok(spec);
  const result = scoreTable(
    spec,
    table('timestamp,value\n2024-01-01 00:00,1\n2024-01-01 00:05,abc\n'),
    'input.csv',
    0.5,
  );
  assert.equal(result.ok, false);
  assert.equal(
    result.ok ? '' : result.reason,
    "input.csv: no numeric column besides 'timestamp' ('value': line 3: 'abc' is not a number)",
  );
});

void test('names the line of a bad timestamp and refuses a table without numeric columns', () => {
  assert.ok(spec);
  const bad = scoreTable(spec, table('timestamp,value\nnot-a-time,1\n'), 'input.csv', 0.5);
  assert.match(bad.ok ? '' : bad.reason, /line 2, field 'timestamp': 'not-a-time' is not a timestamp/);
  const none = scoreTable(spec, table('timestamp,name\n2024-01-01,x\n'), 'input.csv', 0.5);
  assert.match(none.ok ? '' : none.reason, /no numeric column/);
});

void test('refuses a row with the wrong number of fields', () => {
  const parsed = parseDelimited('timestamp,value\n2024-01-01,1,2\n', 'input.csv');
  assert.equal(parsed.ok, false);
  assert.match(parsed.ok ? '' : parsed.reason, /line 2 has 3 fields, the header has 2/);
});

/** Five-minute rows `timestamp,a,b`: `a` is noise, `b` noise with a step of 8 from row 1200. */
function twoColumns(cellB: (i: number, value: string) => string): string {
  const noise = noiseSource(5);
  const rows = ['timestamp,a,b'];
  for (let i = 0; i < 1500; i++) {
    const a = 10 + noise();
    const b = 20 + noise() + (i >= 1200 ? 8 : 0);
    const stamp = new Date(Date.UTC(2024, 0, 1) + i * 300_000).toISOString();
    rows.push(`${stamp},${a.toFixed(3)},${cellB(i, b.toFixed(3))}`);
  }
  return rows.join('\n');
}

void test('scores a column whose first cell is empty, skipping the missing reading', () => {
  // Regression: columns were chosen from the first data row, so 'b' (empty there) was never scored.
  assert.ok(spec);
  const input = table(twoColumns((i, b) => (i === 0 ? '' : b)));
  const result = scoreTable(spec, input, 'input.csv', spec.threshold);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.deepEqual(result.value.columns, ['a', 'b']);
  assert.deepEqual(
    [...result.value.emptyCells],
    [
      ['a', 0],
      ['b', 1],
    ],
  );
  const stamps = input.rows.map((row) => Date.parse(row[0] as string));
  const a = scoreSeries(
    spec,
    stamps,
    input.rows.map((row) => Number(row[1])),
  );
  const b = scoreSeries(
    spec,
    stamps.slice(1),
    input.rows.slice(1).map((row) => Number(row[2])),
  );
  const fused = [...a].map((score, r) => (r === 0 ? score : Math.max(score, b[r - 1] as number)));
  assert.deepEqual([...result.value.scores], fused, 'row 0 scores a alone, later rows fuse a and b');
  assert.ok(
    [...b.slice(1199, 1219)].some((score) => score >= spec.threshold),
    'the step in column b is detected',
  );
});

void test('skips an empty cell later in a column: its detector sees only the readings there are', () => {
  // Regression: an empty cell after the first row stopped the whole file with an error.
  assert.ok(spec);
  const text = 'timestamp,value\n' + [1, 2, '', 4, 5].map((v, i) => `2024-01-01 00:0${i},${v}`).join('\n');
  const result = scoreTable(spec, table(text), 'input.csv', 0.5);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.equal(result.value.emptyCells.get('value'), 1);
  const alone = scoreSeries(
    spec,
    [0, 60_000, 180_000, 240_000].map((t) => Date.UTC(2024, 0, 1) + t),
    [1, 2, 4, 5],
  );
  assert.deepEqual([...result.value.scores], [alone[0], alone[1], 0, alone[2], alone[3]]);
  assert.match(result.value.text.split('\n')[3] as string, /^2024-01-01 00:02,,0\.000000,0$/);
});

void test('leaves out a text column, naming its first non-numeric cell, and writes quoted fields back quoted', () => {
  assert.ok(spec);
  const text = 'timestamp,value,note\n2024-01-01 00:00,1,"x, 1"\n2024-01-01 00:05,2,"say ""hi"""\n';
  const result = scoreTable(spec, table(text), 'input.csv', 0.5);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.deepEqual(result.value.columns, ['value']);
  assert.deepEqual(result.value.skipped, [{ column: 'note', reason: "line 2: 'x, 1' is not a number" }]);
  const lines = result.value.text.trim().split('\n');
  assert.match(lines[1] as string, /^2024-01-01 00:00,1,"x, 1",\d\.\d{6},[01]$/);
  assert.match(lines[2] as string, /^2024-01-01 00:05,2,"say ""hi""",\d\.\d{6},[01]$/);
});

void test('reads NaN, null, NA, N/A and None as missing readings instead of refusing the column', () => {
  // Regression: 'value' was "not a number" at its first NaN, and the file had no column to score.
  assert.ok(spec);
  const cells = [1, 'NaN', 2, 'null', 3, 'NA', 4, 'n/a', 5, 'None', 6];
  const text =
    'timestamp,value\n' + cells.map((v, i) => `2024-01-01 00:${String(i).padStart(2, '0')},${v}`).join('\n');
  const result = scoreTable(spec, table(text), 'input.csv', 0.5);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.deepEqual(result.value.columns, ['value']);
  assert.equal(result.value.emptyCells.get('value'), 5);
  const present = cells.flatMap((v, i) => (typeof v === 'number' ? [i] : []));
  const alone = scoreSeries(
    spec,
    present.map((i) => Date.UTC(2024, 0, 1) + i * 60_000),
    present.map((i) => cells[i] as number),
  );
  const expected = cells.map((v, i) => (typeof v === 'number' ? (alone[present.indexOf(i)] as number) : 0));
  assert.deepEqual([...result.value.scores], expected);
});

void test('refuses a file whose first line is data, not column names', () => {
  // Regression: the first row was taken for the header and a column named '0' was scored.
  assert.ok(spec);
  const result = scoreTable(spec, table('2024-01-01 00:00,1\n2024-01-01 00:01,2\n'), 'input.csv', 0.5);
  assert.equal(
    result.ok ? '' : result.reason,
    "input.csv: line 1: the first line must name the columns, and '2024-01-01 00:00' is a timestamp",
  );
});

void test('counts the rows whose timestamp steps back in time and names the first', () => {
  const survey = new TableSurvey(['timestamp', 'value'], 'input.csv');
  const stamps = [
    '2024-01-01 00:00',
    '2024-01-01 00:02',
    '2024-01-01 00:01',
    '2024-01-01 00:01',
    '2024-01-01 00:00',
  ];
  stamps.forEach((stamp, i) => assert.ok(survey.add([stamp, String(i)], i + 2).ok));
  const plan = survey.finish();
  assert.ok(plan.ok);
  assert.equal(plan.value.stepsBack, 2);
  assert.equal(plan.value.firstStepBackLine, 4);
});
