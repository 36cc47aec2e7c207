import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LocalTime } from './local-time.ts';

const hour = 3_600_000;

test('time of day in a zone with summer time, on both sides of its changes', () => {
  const zurich = new LocalTime('Europe/Zurich');
  assert.equal(zurich.hourOfDay(Date.UTC(2026, 0, 15, 7)), 8, 'winter: UTC+1');
  assert.equal(zurich.hourOfDay(Date.UTC(2026, 6, 15, 6, 30)), 8.5, 'summer: UTC+2');
  // Summer time begins 2026-03-29 at 01:00 UTC (02:00 → 03:00 local) and ends 2026-10-25 at 01:00 UTC.
  assert.equal(zurich.offsetMillis(Date.UTC(2026, 2, 29, 0, 59)), hour);
  assert.equal(zurich.offsetMillis(Date.UTC(2026, 2, 29, 1, 0)), 2 * hour);
  assert.equal(zurich.offsetMillis(Date.UTC(2026, 9, 25, 0, 59)), 2 * hour);
  assert.equal(zurich.offsetMillis(Date.UTC(2026, 9, 25, 1, 0)), hour);
  assert.equal(zurich.hourOfDay(Date.UTC(2026, 0, 15, 23, 30)), 0.5, 'past local midnight');
});

test('zones east and west of UTC, half-hour offsets, UTC itself, and a name Intl does not know', () => {
  assert.equal(new LocalTime('Asia/Shanghai').hourOfDay(Date.UTC(2026, 5, 1, 0)), 8);
  assert.equal(new LocalTime('America/New_York').hourOfDay(Date.UTC(2026, 0, 1, 13)), 8);
  assert.equal(new LocalTime('Asia/Kolkata').hourOfDay(Date.UTC(2026, 0, 1, 2, 30)), 8);
  assert.equal(new LocalTime('UTC').hourOfDay(Date.UTC(2026, 0, 1, 8, 15)), 8.25);
  assert.throws(() => new LocalTime('Mars/Olympus_Mons'), /unknown time zone 'Mars\/Olympus_Mons'/);
});

test('asked in any order, each answer is the zone offset of its own instant', () => {
  const zurich = new LocalTime('Europe/Zurich');
  const instants = [
    Date.UTC(2026, 6, 1),
    Date.UTC(2026, 0, 1),
    Date.UTC(2026, 6, 1, 0, 10),
    Date.UTC(2026, 0, 1),
  ];
  assert.deepEqual(
    instants.map((at) => zurich.offsetMillis(at) / hour),
    [2, 1, 2, 1],
  );
});
