import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSenml } from './senml.ts';

const now = Date.UTC(2026, 10, 28, 12);
const nowSeconds = now / 1000;

test('resolves base name, base time, base value and relative times (RFC 8428 example)', () => {
  const pack = [
    { bn: 'urn:dev:ow:10e2073a01080063:', bt: nowSeconds - 10, bu: 'A', bv: 1, n: 'current', t: -5, v: 0.2 },
    { n: 'current', t: -4, v: 0.3 },
    { n: 'voltage', v: 120.1 },
  ];
  const outcome = parseSenml(JSON.stringify(pack), now);
  assert.ok(outcome.ok);
  assert.deepEqual(outcome.batch.readings, [
    { sensor: 'urn:dev:ow:10e2073a01080063:current', ts: now - 15_000, value: 1.2 },
    { sensor: 'urn:dev:ow:10e2073a01080063:current', ts: now - 14_000, value: 1.3 },
    { sensor: 'urn:dev:ow:10e2073a01080063:voltage', ts: now - 10_000, value: 121.1 },
  ]);
});

test('times below 2^28 seconds are relative to now; a missing time is now', () => {
  const outcome = parseSenml('[{"n":"a","t":-60,"v":1},{"n":"b","v":2}]', now);
  assert.ok(outcome.ok);
  assert.deepEqual(
    outcome.batch.readings.map((reading) => reading.ts),
    [now - 60_000, now],
  );
});

test('a body that is not a JSON array is malformed', () => {
  assert.equal(parseSenml('{"n":"a","v":1}', now).ok, false);
  assert.equal(parseSenml('[', now).ok, false);
});

const rules: [string, unknown, string, string][] = [
  ['a string value', { n: 'a', vs: 'on' }, 'vs', 'not-a-number'],
  ['a boolean value', { n: 'a', vb: true }, 'vb', 'not-a-number'],
  ['a non-numeric sum', { n: 'a', s: 'many' }, 's', 'not-a-number'],
  [
    'a base name that makes an id the registry forbids',
    { bn: 'dev6/', n: 'x', v: 1 },
    'sensor',
    'bad-sensor-id',
  ],
  ['a value that overflows to infinity', { n: 'a', v: 1e308, bv: 1e308 }, 'v', 'not-finite'],
  ['a non-numeric v', { n: 'a', v: '1' }, 'v', 'not-a-number'],
  ['a record without a value', { n: 'a' }, 'v', 'missing'],
  // Regression: refused as an empty sensor id, not as a missing n.
  ['a record without a name', { v: 1 }, 'n', 'missing'],
  ['a base version that is not a positive integer', { bver: 1.5, n: 'a', v: 1 }, 'bver', 'malformed'],
  // RFC 8428 section 4.4: a pack of a version later than the one read must not be used.
  ['a later SenML version', { bver: 11, n: 'a', v: 1 }, 'bver', 'malformed'],
  ['a non-numeric time', { n: 'a', t: 'noon', v: 1 }, 't', 'bad-timestamp'],
  ['a time far in the future', { n: 'a', t: nowSeconds + 3 * 86_400, v: 1 }, 't', 'future-timestamp'],
  ['a record that is not an object', 5, '', 'malformed'],
];

test('a record with only vs or vb is refused naming that field and echoing its value', () => {
  // Regression: the rejection named field v with no value.
  const outcome = parseSenml('[{"n":"door","vb":true},{"n":"mode","vs":"auto"}]', now);
  assert.ok(outcome.ok);
  assert.deepEqual(
    outcome.batch.rejected.map((r) => [r.index, r.field, r.value, r.rule]),
    [
      [0, 'vb', true, 'not-a-number'],
      [1, 'vs', 'auto', 'not-a-number'],
    ],
  );
});

test('the sum s (plus the base sum bs) is the value of a record without v', () => {
  // Regression: {"n":"energy","s":12.5} was refused as not a number.
  const outcome = parseSenml('[{"bs":100,"n":"energy","s":12.5},{"n":"both","v":1,"s":9}]', now);
  assert.ok(outcome.ok);
  assert.deepEqual(outcome.batch.rejected, []);
  assert.deepEqual(outcome.batch.readings, [
    { sensor: 'energy', ts: now, value: 112.5 },
    { sensor: 'both', ts: now, value: 1 },
  ]);
});

test('non-finite values and times are echoed as text in rejections', () => {
  // JSON.parse reads 1e999 as Infinity, which JSON.stringify would answer as null.
  const outcome = parseSenml('[{"n":"a","v":1e999},{"n":"b","v":-1e999},{"n":"c","v":1,"t":1e999}]', now);
  assert.ok(outcome.ok);
  const echoed = JSON.parse(JSON.stringify(outcome.batch.rejected)) as { value: unknown }[];
  assert.deepEqual(
    echoed.map((r) => r.value),
    ['Infinity', '-Infinity', 'Infinity'],
  );
});

for (const [what, record, field, rule] of rules) {
  test(`rejects ${what} and keeps the other records`, () => {
    const outcome = parseSenml(JSON.stringify([{ n: 'good', v: 1 }, record]), now);
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.batch.readings, [{ sensor: 'good', ts: now, value: 1 }]);
    assert.equal(outcome.batch.rejected[0]?.index, 1);
    assert.equal(outcome.batch.rejected[0]?.field, field);
    assert.equal(outcome.batch.rejected[0]?.rule, rule);
  });
}

test('round-trips generated packs with base fields', () => {
  const name = fc.stringMatching(/^[a-z0-9:._-]{1,12}$/);
  const reading = fc.record({
    sensor: name,
    ts: fc.integer({ min: 1_000_000_000_000, max: now }),
    value: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }),
  });
  fc.assert(
    fc.property(name, fc.array(reading, { maxLength: 30 }), (baseName, readings) => {
      // '.' and '..' are not sensor ids (refused with bad-sensor-id, tested apart).
      fc.pre(readings.every((item) => !['.', '..'].includes(baseName + item.sensor)));
      const baseTime = 1_700_000_000;
      const pack = readings.map((item, i) => ({
        ...(i === 0 ? { bn: baseName, bt: baseTime } : {}),
        n: item.sensor,
        t: item.ts / 1000 - baseTime,
        v: item.value,
      }));
      const outcome = parseSenml(JSON.stringify(pack), now);
      assert.ok(outcome.ok);
      assert.deepEqual(outcome.batch.rejected, []);
      assert.deepEqual(
        outcome.batch.readings,
        readings.map((item) => ({ sensor: baseName + item.sensor, ts: item.ts, value: item.value + 0 })),
      );
    }),
  );
});

test('a later version given as a base field refuses the records after it too; version 10 is read', () => {
  const outcome = parseSenml('[{"bver":10,"n":"a","v":1},{"bver":11,"n":"b","v":2},{"n":"c","v":3}]', now);
  assert.ok(outcome.ok);
  assert.deepEqual(
    outcome.batch.readings.map((reading) => reading.sensor),
    ['a'],
  );
  assert.deepEqual(
    outcome.batch.rejected.map((r) => [r.index, r.field, r.value, r.rule]),
    [
      [1, 'bver', 11, 'malformed'],
      [2, 'bver', 11, 'malformed'],
    ],
  );
});
