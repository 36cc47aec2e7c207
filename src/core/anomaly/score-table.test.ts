import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDelimited } from './delimited.ts';
import { LEARNING_POINTS, findDetector } from './registry.ts';
import { scoreTable } from './score-table.ts';
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

void test('names the row, field and value of a bad number', () => {
  assert.ok(spec);
  const result = scoreTable(
    spec,
    table('timestamp,value\n2024-01-01 00:00,1\n2024-01-01 00:05,abc\n'),
    'input.csv',
    0.5,
  );
  assert.equal(result.ok, false);
  assert.match(
    result.ok ? '' : result.reason,
    /input\.csv: row 3, field 'value': 'abc' is not a finite number/,
  );
});

void test('names the row of a bad timestamp and refuses a table without numeric columns', () => {
  assert.ok(spec);
  const bad = scoreTable(spec, table('timestamp,value\nnot-a-time,1\n'), 'input.csv', 0.5);
  assert.match(bad.ok ? '' : bad.reason, /row 2, field 'timestamp': 'not-a-time' is not a timestamp/);
  const none = scoreTable(spec, table('timestamp,name\n2024-01-01,x\n'), 'input.csv', 0.5);
  assert.match(none.ok ? '' : none.reason, /no numeric column/);
});

void test('refuses a row with the wrong number of fields', () => {
  const parsed = parseDelimited('timestamp,value\n2024-01-01,1,2\n', 'input.csv');
  assert.equal(parsed.ok, false);
  assert.match(parsed.ok ? '' : parsed.reason, /row 2 has 3 fields, the header has 2/);
});
