import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateCity } from './city.ts';
import { TrafficModel } from './traffic.ts';

const city = generateCity({ sensorCount: 3000, seed: 42 });
const start = Date.UTC(2026, 0, 1, 6);

test('the traffic district reports phases, queues and both travel times once it has run', () => {
  const traffic = new TrafficModel(city, 1, start);
  assert.equal(traffic.snapshot(), null);
  for (let hour = 1; hour <= 6; hour += 1) traffic.advanceTo(start + hour * 3_600_000, hour);
  const snapshot = traffic.snapshot();
  assert.ok(snapshot !== null);
  assert.equal(snapshot.intersections.length, 16);
  assert.equal(snapshot.timeSeconds, 6 * 3600);
  assert.ok(snapshot.intersections.every((junction) => junction.phase === 0 || junction.phase === 1));
  // Free flow alone is 35 s per link; queueing adds to it under both policies.
  assert.ok(snapshot.averageTravelSeconds > 35 && snapshot.baselineTravelSeconds > 35);
  // In the morning rush (heavier east–west), the actuated signals beat the fixed plan.
  assert.ok(
    snapshot.averageTravelSeconds < snapshot.baselineTravelSeconds,
    JSON.stringify(snapshot.history.at(-1)),
  );
});

test('the traffic district says the city time of day it has reached and its demand against the day’s peak', () => {
  const traffic = new TrafficModel(city, 1, start);
  // 06:00 UTC is 07:00 in Sion in winter; an hour later the morning peak, six hours later 13:00.
  traffic.advanceTo(start + 3_600_000, 1);
  const peak = traffic.snapshot()?.timeOfDay;
  assert.equal(peak?.secondsOfDay, 8 * 3600);
  assert.ok(peak !== undefined && peak !== null && peak.demandShareOfPeak > 0.7, JSON.stringify(peak));
  for (let hour = 2; hour <= 6; hour += 1) traffic.advanceTo(start + hour * 3_600_000, hour);
  const midday = traffic.snapshot()?.timeOfDay;
  assert.equal(midday?.secondsOfDay, 13 * 3600);
  assert.ok(midday !== undefined && midday !== null && midday.demandShareOfPeak < peak.demandShareOfPeak);
  assert.ok(midday.demandShareOfPeak > 0 && peak.demandShareOfPeak <= 1);
});
