import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockTime, demandPeriod, timeOfDayText } from '../web/src/time-of-day.ts';

void test('the simulated time of day reads as a clock time, the part of the day and the demand against its peak', () => {
  assert.equal(
    timeOfDayText({ secondsOfDay: 8 * 3600 + 15 * 60 + 59, demandShareOfPeak: 0.972 }, 120),
    "Simulated time of day 08:15 (120× real time), morning peak: demand 97 % of the day's peak.",
  );
  assert.equal(
    timeOfDayText({ secondsOfDay: 13 * 3600, demandShareOfPeak: 0.51 }, undefined),
    "Simulated time of day 13:00, off-peak: demand 51 % of the day's peak.",
  );
  assert.equal(demandPeriod({ secondsOfDay: 17.5 * 3600, demandShareOfPeak: 0.95 }), 'evening peak');
  assert.equal(demandPeriod({ secondsOfDay: 3 * 3600, demandShareOfPeak: 0.07 }), 'quiet hours');
  assert.equal(clockTime(0), '00:00');
  assert.equal(clockTime(86_399), '23:59');
});
