import assert from 'node:assert/strict';
import { test } from 'node:test';
import { instantRule, parseDuration, parseInstant } from './time.ts';

void test('an instant is epoch milliseconds or ISO-8601; a date-time without a zone is UTC, whatever the server zone', () => {
  const zone = process.env.TZ;
  process.env.TZ = 'Europe/Berlin';
  try {
    assert.equal(parseInstant('1700000000000'), 1_700_000_000_000);
    assert.equal(parseInstant('2026-11-28T10:00:00'), Date.UTC(2026, 10, 28, 10));
    assert.equal(parseInstant('2026-11-28T10:00:00Z'), Date.UTC(2026, 10, 28, 10));
    assert.equal(parseInstant('2026-11-28T10:00:00+01:00'), Date.UTC(2026, 10, 28, 9));
    assert.equal(parseInstant('2026-11-28'), Date.UTC(2026, 10, 28));
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
});

void test('an instant refuses other date formats, signs, fractions and numbers past 2^53 - 1', () => {
  for (const value of [
    'Nov 27 2026',
    '-5',
    '+5',
    '1.5',
    '99999999999999999999',
    '',
    'now',
    '1969-12-31T23:59:59Z',
  ])
    assert.equal(parseInstant(value), undefined, value);
});

void test('a duration is whole milliseconds of at least 1 ms and at most 2^53 - 1 ms', () => {
  assert.equal(parseDuration('step', '60000'), 60_000);
  assert.equal(parseDuration('step', '1.5s'), 1500);
  assert.equal(parseDuration('step', '1h'), 3_600_000);
  assert.equal(parseDuration('step', '0.4'), "step='0.4' must be at least 1 ms");
  assert.equal(parseDuration('step', '0'), "step='0' must be at least 1 ms");
  assert.equal(
    parseDuration('step', '100000000000000000000'),
    "step='100000000000000000000' must be at most 9007199254740991 ms",
  );
  assert.match(String(parseDuration('step', '5 minutes')), /^step='5 minutes' is not a duration/);
});

void test('the rule an instant breaks names its bounds for ISO dates too; bug: a 1969 date was told to be an ISO date', () => {
  assert.equal(parseInstant('1969-12-31'), undefined);
  assert.match(instantRule, /ISO-8601 date or date-time .*from 1970-01-01T00:00:00Z on/);
});
