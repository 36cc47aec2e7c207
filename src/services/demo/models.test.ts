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
