import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimestampMillis } from './timestamp.ts';

void test('refuses a date that is not in the calendar or a time past 23:59:59 instead of rolling it over', () => {
  // Regression: Date.UTC read 2024-02-31 as March 2nd and 2024-13-45 as 2025-02-14.
  for (const text of [
    '2024-02-31 00:00:00',
    '2023-02-29',
    '2024-13-45 00:00:00',
    '2024-00-10',
    '2024-01-01 24:00:00',
    '2024-01-01 12:60',
    '2024-01-01 12:00:60',
  ])
    assert.equal(parseTimestampMillis(text), undefined, text);
  assert.equal(parseTimestampMillis('2024-02-29 23:59:59'), Date.UTC(2024, 1, 29, 23, 59, 59));
  assert.equal(parseTimestampMillis('2024-12-31T23:59:59.999-05:30'), Date.UTC(2025, 0, 1, 5, 29, 59, 999));
});
