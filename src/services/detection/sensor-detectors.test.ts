import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findDetector } from '../../core/anomaly/registry.ts';
import { SensorDetectors } from './sensor-detectors.ts';

const spec = findDetector('rarity');
assert.ok(spec);
const detector = spec;

/** Deterministic noise around 10, one reading a minute, with a jump to 500 at `spikeAt`. */
function series(sensor: string, length: number, spikeAt: number) {
  let seed = 7;
  return Array.from({ length }, (_, i) => {
    seed = (seed * 16807) % 2147483647;
    return { sensor, ts: i * 60_000, value: i === spikeAt ? 500 : 10 + seed / 2147483647 };
  });
}

function detectors(learningReadings: number) {
  return new SensorDetectors({
    detector,
    threshold: detector.threshold,
    suppressionMillis: 3_600_000,
    evidencePoints: 4,
    historyPoints: 8,
    learningReadings,
  });
}

test('a new sensor raises no alert while its detector is still learning', () => {
  const crossings = detectors(750).process(series('new', 700, 600));
  assert.deepEqual(crossings, []);
});

test('the same jump raises an alert once the detector has learned, and without a learning period', () => {
  const learned = detectors(750).process(series('old', 1200, 1000));
  assert.deepEqual(
    learned.map((crossing) => crossing.ts),
    [1000 * 60_000],
  );
  const eager = detectors(0).process(series('new', 700, 600));
  assert.ok(
    eager.some((crossing) => crossing.ts === 600 * 60_000),
    'without a learning period the early jump alerts',
  );
});
