import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimestamp } from './timestamp.ts';

test('reads epoch milliseconds as numbers or digit strings', () => {
  assert.equal(parseTimestamp(1_700_000_000_123), 1_700_000_000_123);
  assert.equal(parseTimestamp('1700000000123'), 1_700_000_000_123);
});

test('reads ISO-8601 with Z, offsets with or without a colon, and takes a missing zone as UTC', () => {
  assert.equal(parseTimestamp('2026-11-28T12:00:00Z'), Date.UTC(2026, 10, 28, 12));
  assert.equal(parseTimestamp('2026-11-28T12:00:00.5+01:00'), Date.UTC(2026, 10, 28, 11, 0, 0, 500));
  assert.equal(parseTimestamp('2026-11-28T12:00:00-0230'), Date.UTC(2026, 10, 28, 14, 30));
  assert.equal(parseTimestamp('2026-11-28T12:00:00'), Date.UTC(2026, 10, 28, 12));
  assert.equal(parseTimestamp('2026-11-28 12:00'), Date.UTC(2026, 10, 28, 12));
  assert.equal(parseTimestamp('2026-11-28'), Date.UTC(2026, 10, 28));
});

test('reads RFC 3339 variants: an offset in whole hours and a lowercase t and z', () => {
  assert.equal(parseTimestamp('2026-11-28T00:00:00+01'), Date.UTC(2026, 10, 27, 23));
  assert.equal(parseTimestamp('2026-11-28T00:00:00-03'), Date.UTC(2026, 10, 28, 3));
  assert.equal(parseTimestamp('2026-11-28t00:00:00z'), Date.UTC(2026, 10, 28));
  assert.equal(parseTimestamp('2026-11-28T12:00:00,250Z'), Date.UTC(2026, 10, 28, 12, 0, 0, 250));
  assert.equal(parseTimestamp('2026-11-28T12:00:00.123999Z'), Date.UTC(2026, 10, 28, 12, 0, 0, 123));
});

test('reads leap days and years below 100 as written', () => {
  assert.equal(parseTimestamp('2028-02-29'), Date.UTC(2028, 1, 29));
  assert.equal(parseTimestamp('2000-02-29T12:00:00Z'), Date.UTC(2000, 1, 29, 12));
  const year75 = new Date(0);
  year75.setUTCFullYear(75, 0, 1);
  assert.equal(parseTimestamp('0075-01-01'), year75.getTime());
});

test('refuses dates and times that do not exist instead of rolling them over', () => {
  for (const value of [
    '2026-02-30',
    '2026-02-29T00:00:00Z',
    '1900-02-29',
    '2026-04-31',
    '2026-00-10',
    '2026-11-00',
    '2026-11-28T24:00:00Z',
    '2026-11-28T23:60:00Z',
    '2026-11-28T23:59:60Z',
    '2026-11-28T00:00:00+24:00',
    '2026-11-28T00:00:00+01:60',
  ]) {
    assert.equal(parseTimestamp(value), undefined, value);
  }
});

test('refuses what is not a timestamp', () => {
  for (const value of [
    'yesterday',
    '28/11/2026',
    '2026-13-45T00:00:00Z',
    '',
    true,
    null,
    {},
    Number.NaN,
    Infinity,
  ]) {
    assert.equal(parseTimestamp(value), undefined, String(value));
  }
});
