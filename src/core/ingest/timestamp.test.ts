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
