import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseJsonBatch } from './json-batch.ts';
import type { ParsedBatch } from '../readings/reading.ts';

const now = Date.UTC(2026, 10, 28, 12);

function batch(text: string, options = {}): ParsedBatch {
  const outcome = parseJsonBatch(text, now, options);
  assert.ok(outcome.ok, 'expected a parsed batch');
  return outcome.batch;
}

test('accepts a batch with millisecond and ISO-8601 timestamps', () => {
  const parsed = batch(
    JSON.stringify([
      { sensor: 'a', ts: now - 1000, value: 1.5 },
      { sensor: 'b', ts: '2026-11-28T11:00:00.250Z', value: -2 },
      { sensor: 'c', ts: '2026-11-28T12:00:00+01:00', value: 0 },
    ]),
  );
  assert.deepEqual(parsed.rejected, []);
  assert.deepEqual(parsed.readings, [
    { sensor: 'a', ts: now - 1000, value: 1.5 },
    { sensor: 'b', ts: Date.UTC(2026, 10, 28, 11, 0, 0, 250), value: -2 },
    { sensor: 'c', ts: Date.UTC(2026, 10, 28, 11), value: 0 },
  ]);
});

test('accepts a single object and defaults a missing ts to the receive time', () => {
  assert.deepEqual(batch('{"sensor":"a","value":3}').readings, [{ sensor: 'a', ts: now, value: 3 }]);
});

test('takes the sensor from the default (an MQTT topic) and accepts a bare number', () => {
  assert.deepEqual(batch('[{"ts":1000,"value":3}]', { defaultSensor: 't' }).readings, [
    { sensor: 't', ts: 1000, value: 3 },
  ]);
  assert.deepEqual(batch('21.5', { defaultSensor: 't' }).readings, [{ sensor: 't', ts: now, value: 21.5 }]);
});

test('on a topic, an item naming another sensor is refused and one naming the topic sensor is kept', () => {
  // Regression: {"sensor":"hijack"} published to city/m1/telemetry was stored as sensor hijack.
  const parsed = batch('[{"sensor":"hijack","value":7},{"sensor":"m1","ts":1000,"value":8}]', {
    defaultSensor: 'm1',
  });
  assert.deepEqual(parsed.readings, [{ sensor: 'm1', ts: 1000, value: 8 }]);
  assert.deepEqual(
    parsed.rejected.map((r) => [r.index, r.field, r.value, r.rule]),
    [[0, 'sensor', 'hijack', 'bad-sensor-id']],
  );
  assert.match(parsed.rejected[0]?.message ?? '', /topic's sensor 'm1'/);
});

test('refuses sensor ids the registry forbids: "/", "+", "#", longer than 256', () => {
  // Regression: "t/c+#" was auto-registered and then could not be edited.
  const ids = ['t/c+#', 'a/b', 'a+b', 'a#b', 'x'.repeat(257)];
  const parsed = batch(JSON.stringify(ids.map((sensor) => ({ sensor, ts: 1, value: 1 }))));
  assert.deepEqual(parsed.readings, []);
  assert.deepEqual(
    parsed.rejected.map((r) => [r.index, r.field, r.rule]),
    ids.map((_, index) => [index, 'sensor', 'bad-sensor-id']),
  );
  assert.equal(batch(JSON.stringify([{ sensor: 'x'.repeat(256), ts: 1, value: 1 }])).readings.length, 1);
});

test('echoes a non-finite value as text, since JSON cannot hold it', () => {
  const parsed = batch('[{"sensor":"a","ts":1,"value":1e999},{"sensor":"a","ts":2,"value":-1e999}]');
  assert.deepEqual(
    parsed.rejected.map((r) => [r.value, r.rule]),
    [
      ['Infinity', 'not-finite'],
      ['-Infinity', 'not-finite'],
    ],
  );
  assert.equal(JSON.parse(JSON.stringify(parsed.rejected))[0].value, 'Infinity');
});

test('a value nested too deep to write back is refused without repeating it; a shallow one is repeated', () => {
  // Regression: the rejection repeated 20,000 nested arrays, and writing the answer overflowed the
  // stack (HTTP 500) after the good reading of the batch had been stored.
  const deep = '['.repeat(20_000) + ']'.repeat(20_000);
  const parsed = batch(
    `[{"sensor":"a","ts":1,"value":1},{"sensor":"a","value":${deep}},{"sensor":"b","value":[[2]]}]`,
  );
  assert.deepEqual(
    parsed.readings.map((reading) => reading.value),
    [1],
  );
  assert.deepEqual(
    parsed.rejected.map((r) => [r.index, r.value, r.rule]),
    [
      [1, '(nested deeper than 64 levels: not repeated)', 'not-a-number'],
      [2, [[2]], 'not-a-number'],
    ],
  );
  assert.doesNotThrow(() => JSON.stringify(parsed.rejected));
});

test('a time sent under another name than ts is refused, not replaced by the time received', () => {
  // Regression: {"time": …} was stored at the receive time, the sent time dropped silently.
  const parsed = batch(
    '[{"sensor":"a","time":1,"value":1},{"sensor":"a","timestamp":"2026-01-01","value":2},{"sensor":"a","value":3},{"sensor":"a","ts":5,"time":9,"value":4}]',
  );
  assert.deepEqual(
    parsed.readings.map((reading) => [reading.ts, reading.value]),
    [
      [now, 3],
      [5, 4],
    ],
  );
  assert.deepEqual(
    parsed.rejected.map((r) => [r.index, r.field, r.value, r.rule]),
    [
      [0, 'time', 1, 'malformed'],
      [1, 'timestamp', '2026-01-01', 'malformed'],
    ],
  );
  assert.match(parsed.rejected[0]?.message ?? '', /^time is not read: the time is ts/);
  assert.equal(
    batch('[{"sensor":"a","ts":1,"value":null}]').rejected[0]?.message,
    'value must be a number, got null',
  );
});

test('a body that is not JSON, or not an array or object, is malformed', () => {
  for (const text of ['[{"sensor":', 'not json', '"text"', '12', 'null']) {
    const outcome = parseJsonBatch(text, now);
    assert.equal(outcome.ok, false, text);
  }
});

const rules: [string, unknown, string, string][] = [
  ['a non-numeric value', { sensor: 'a', ts: 1, value: '21.5' }, 'value', 'not-a-number'],
  ['a boolean value', { sensor: 'a', ts: 1, value: true }, 'value', 'not-a-number'],
  ['an infinite value', 'INFINITY', 'value', 'not-finite'],
  ['a missing value', { sensor: 'a', ts: 1 }, 'value', 'missing'],
  ['a missing sensor', { ts: 1, value: 1 }, 'sensor', 'missing'],
  ['an empty sensor id', { sensor: '', ts: 1, value: 1 }, 'sensor', 'bad-sensor-id'],
  ['a sensor id with a control character', { sensor: 'a\nb', ts: 1, value: 1 }, 'sensor', 'bad-sensor-id'],
  ['a numeric sensor id', { sensor: 7, ts: 1, value: 1 }, 'sensor', 'bad-sensor-id'],
  ['an unparseable timestamp', { sensor: 'a', ts: 'yesterday', value: 1 }, 'ts', 'bad-timestamp'],
  ['a timestamp before 1970', { sensor: 'a', ts: -5, value: 1 }, 'ts', 'bad-timestamp'],
  [
    'a timestamp two days ahead',
    { sensor: 'a', ts: now + 2 * 86_400_000, value: 1 },
    'ts',
    'future-timestamp',
  ],
  ['an item that is not an object', [1, 2], '', 'malformed'],
];

for (const [what, item, field, rule] of rules) {
  test(`rejects ${what} and keeps the rest of the batch`, () => {
    const good = { sensor: 'good', ts: now, value: 1 };
    // JSON cannot spell Infinity; 1e999 parses to it.
    const text = `[${JSON.stringify(good)},${item === 'INFINITY' ? '{"sensor":"a","ts":1,"value":1e999}' : JSON.stringify(item)}]`;
    const parsed = batch(text);
    assert.deepEqual(parsed.readings, [good]);
    assert.equal(parsed.rejected.length, 1);
    assert.equal(parsed.rejected[0]?.index, 1);
    assert.equal(parsed.rejected[0]?.field, field);
    assert.equal(parsed.rejected[0]?.rule, rule);
    assert.ok((parsed.rejected[0]?.message.length ?? 0) > 0);
  });
}

test('the future limit is configurable', () => {
  const text = JSON.stringify([{ sensor: 'a', ts: now + 10_000, value: 1 }]);
  assert.equal(batch(text).readings.length, 1);
  assert.equal(batch(text, { maxFutureMillis: 5_000 }).rejected[0]?.rule, 'future-timestamp');
});

test('a batch in pieces cut at any of its commas gives the outcome of the whole text, also when a cut falls inside an item', () => {
  const now = Date.UTC(2026, 0, 1);
  const text = fc.string({ maxLength: 8 }).map((s) => s + '},{"x":[1,2]},'); // commas and `},` inside strings
  const item = fc.oneof(
    fc.record({
      sensor: fc.constantFrom('a', 'b,c', 'd},{e'),
      ts: fc.integer({ min: 0, max: now }),
      value: fc.double(),
    }),
    fc.record({ sensor: text, value: fc.oneof(fc.integer(), text) }),
    fc.constantFrom(1, null, [1, 2], { nested: { sensor: 'n' } }),
  );
  const malformed = fc.constantFrom(
    '[1,,2]',
    '[,1]',
    '[1,]',
    '[{"sensor":"a","value":1},]',
    '[{"sensor":"a"},{]',
    '[1] [2]',
  );
  const body = fc.oneof(
    fc.array(item, { maxLength: 8 }).map((items) => JSON.stringify(items)),
    malformed,
  );
  fc.assert(
    fc.property(body, fc.array(fc.nat(), { maxLength: 5 }), (whole, cuts) => {
      const region = whole.slice(1, -1);
      const commas = [...region.matchAll(/,/g)].map((match) => match.index);
      const at = [...new Set(cuts.map((cut) => commas[cut % Math.max(commas.length, 1)]))]
        .filter((comma) => comma !== undefined)
        .sort((a, b) => a - b);
      const items: string[] = [];
      let start = 0;
      for (const comma of at) {
        items.push(`[${region.slice(start, comma)}]`);
        start = comma + 1;
      }
      items.push(`[${region.slice(start)}]`);
      assert.deepEqual(parseJsonBatch({ items }, now), parseJsonBatch(whole, now), JSON.stringify(items));
    }),
  );
});
