import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findDetector } from '../../core/anomaly/registry.ts';
import { noiseSource } from '../../core/anomaly/synthetic.test-helpers.ts';
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

function detectors(learningReadings: number, learningSpanMillis = 0) {
  return new SensorDetectors({
    detector,
    threshold: detector.threshold,
    suppressionMillis: 3_600_000,
    evidencePoints: 4,
    historyPoints: 8,
    learningReadings,
    learningSpanMillis,
  });
}

const day = 86_400_000;

test('a sensor read every minute raises no alert until its readings span the learning time', () => {
  // Reading 1,000 is past the 750 learning readings but only 16.7 h after the first one.
  assert.deepEqual(detectors(750, 3 * day).process(series('young', 1200, 1000)), []);
  // At reading 4,400 (73 h) the same jump alerts.
  const watched = detectors(750, 3 * day).process(series('watched', 4500, 4400));
  assert.deepEqual(
    watched.map((crossing) => crossing.ts),
    [4400 * 60_000],
  );
});

test('a detector state without a first timestamp (an older layout) is held back by its readings alone', () => {
  const rarity = detector.create();
  const legacy = {
    ...detector,
    create: () => ({
      update: (ts: number, value: number) => rarity.update(ts, value),
      snapshot: () => rarity.snapshot(),
      readingsSeen: () => rarity.readingsSeen?.() ?? 0,
      firstTimestamp: () => Number.NEGATIVE_INFINITY,
    }),
  };
  const scored = new SensorDetectors({
    detector: legacy,
    threshold: detector.threshold,
    suppressionMillis: 3_600_000,
    evidencePoints: 4,
    historyPoints: 8,
    learningReadings: 750,
    learningSpanMillis: 3 * day,
  }).process(series('restored', 1200, 1000));
  assert.deepEqual(
    scored.map((crossing) => crossing.ts),
    [1000 * 60_000],
  );
});

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

test('daily cycles read every minute raise no alert in their first three days, as they would without the learning time', () => {
  /** A daily sine of amplitude 3 with noise 0.3, one reading a minute for three days from `startHour`. */
  function dailyCycle(sensor: string, startHour: number) {
    const noise = noiseSource(99 + startHour);
    const start = Date.UTC(2026, 0, 1, startHour);
    return Array.from({ length: 3 * 1440 }, (_, i) => {
      const ts = start + i * 60_000;
      return { sensor, ts, value: 10 + 3 * Math.sin((2 * Math.PI * ts) / day) + 0.3 * noise() };
    });
  }
  const starts = [0, 5, 10, 15, 20];
  const alerts = (learningSpanMillis: number) =>
    starts.flatMap((hour) =>
      detectors(750, learningSpanMillis)
        .process(dailyCycle(`cycle-${hour}`, hour))
        .map(
          (crossing) =>
            `${crossing.sensor} at ${((crossing.ts - Date.UTC(2026, 0, 1, hour)) / 3_600_000).toFixed(1)} h`,
        ),
    );
  assert.ok(alerts(0).length > 0, 'without the learning time the young cycles alert');
  assert.deepEqual(alerts(3 * day), []);
});
