import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findDetector } from '../../core/anomaly/registry.ts';
import { noiseSource } from '../../core/anomaly/synthetic.test-helpers.ts';
import { MemoryStateSpill } from '../../adapters/memory/state-spill.ts';
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

/** What the tests of a memory budget give their detectors, with and without the budget. */
const options = {
  detector,
  threshold: detector.threshold,
  suppressionMillis: 3_600_000,
  evidencePoints: 4,
  historyPoints: 8,
  learningReadings: 50,
  learningSpanMillis: 0,
};

/** Saved states in sensor order, to compare two sets of detectors. */
const byName = (states: { sensor: string }[]) => [...states].sort((a, b) => a.sensor.localeCompare(b.sensor));

/** Names keys 0 … sensors − 1 as sensors `s0` … on each set of detectors. */
function nameEvery(sensors: number, ...sets: SensorDetectors[]): void {
  const ids = Array.from({ length: sensors }, (_, sensor) => `s${sensor}`);
  const keys = Array.from({ length: sensors }, (_, sensor) => sensor);
  for (const set of sets) set.nameKeys(keys, ids);
}

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

void test('with a memory budget, states wait in the spill and every score, alert and state is as in memory', () => {
  let spill = new MemoryStateSpill(1);
  let recordBytes = 0;
  // Room for about 7 of the 40 sensors.
  const budgeted = new SensorDetectors({ ...options, stateMemoryBytes: 10_000 }, (bytes) => {
    recordBytes = bytes;
    spill = new MemoryStateSpill(bytes);
    return spill;
  });
  const plain = new SensorDetectors(options);
  assert.ok(budgeted.inMemoryLimit >= 5 && budgeted.inMemoryLimit <= 9, `${budgeted.inMemoryLimit}`);
  // Round-robin over 40 sensors (every reading of a sensor comes after the others moved it out),
  // with each sensor's own spike; then one sensor alone for a while (kept in memory).
  const readings = [];
  for (let round = 0; round < 700; round++)
    for (let sensor = 0; sensor < 40; sensor++) {
      const seed = ((sensor + 1) * 7919 + round * 104729) % 1000;
      readings.push({
        sensor: `s${sensor}`,
        ts: round * 60_000,
        value: round === 600 + sensor ? 400 : 10 + seed / 1000,
      });
    }
  for (let round = 700; round < 800; round++) readings.push({ sensor: 's3', ts: round * 60_000, value: 10 });
  let alerts = 0;
  for (let start = 0; start < readings.length; start += 333) {
    const batch = readings.slice(start, start + 333);
    const crossings = budgeted.process(batch);
    assert.deepEqual(crossings, plain.process(batch));
    alerts += crossings.length;
  }
  assert.ok(alerts >= 30, `${alerts} alerts (the spikes, with their evidence)`);
  assert.ok(budgeted.inMemory <= budgeted.inMemoryLimit);
  assert.ok(spill.writes > 10_000 && spill.reads > 10_000, `${spill.writes} writes, ${spill.reads} reads`);
  assert.equal(recordBytes, 8 * (2 + 3 * 4) + 8 + 936, 'a record: the evidence ring, a length, the state');
  assert.equal(budgeted.sensorCount, 40);
  // States taken from memory and from the spill alike, and the score history of a sensor that is out.
  assert.deepEqual(byName(budgeted.takeStates(true)), byName(plain.takeStates(true)));
  assert.deepEqual(
    budgeted.history('s0', 0, Number.POSITIVE_INFINITY),
    plain.history('s0', 0, Number.POSITIVE_INFINITY),
  );
  // Restored into a budgeted set, they score on as the originals do.
  const revived = new SensorDetectors(
    { ...options, stateMemoryBytes: 10_000 },
    (bytes) => new MemoryStateSpill(bytes),
  );
  revived.restore(plain.takeStates(true));
  const more = Array.from({ length: 40 }, (_, sensor) => ({
    sensor: `s${sensor}`,
    ts: 900 * 60_000,
    value: 90,
  }));
  assert.deepEqual(revived.process(more), plain.process(more));
  assert.deepEqual(byName(revived.takeStates()), byName(plain.takeStates()));
});

void test('a memory budget needs a spill and a positive size', () => {
  const options = { detector, threshold: 0.9, suppressionMillis: 0, evidencePoints: 1, historyPoints: 1 };
  assert.throws(() => new SensorDetectors({ ...options, stateMemoryBytes: 1_000 }), /needs a spill/);
  assert.throws(
    () => new SensorDetectors({ ...options, stateMemoryBytes: 0 }, (bytes) => new MemoryStateSpill(bytes)),
    /stateMemoryBytes must be a positive number, got 0/,
  );
});

test('readings given by sensor key reach the rows of their ids, whether made by key, by id or by a restore', () => {
  const columns = (readings: { ts: number; value: number }[]) => ({
    timestamps: Float64Array.from(readings, (reading) => reading.ts),
    values: Float64Array.from(readings, (reading) => reading.value),
  });
  const byId = detectors(0);
  const byKey = detectors(0);
  const early = [...series('a', 300, 10_000), ...series('b', 300, 10_000)];
  byId.process(early);
  // 'a' comes back by a restore, 'b' was scored by id: the keyed batches carry on from both.
  byKey.restore(byId.takeStates(true).filter((saved) => saved.sensor === 'a'));
  byKey.process(series('b', 300, 10_000));
  const late = [...series('a', 600, 500), ...series('b', 600, 550), ...series('c', 600, 520)].filter(
    (reading) => reading.ts >= 300 * 60_000 || reading.sensor === 'c',
  );
  byKey.nameKeys([2, 40, 7], ['a', 'b', 'c']);
  const keys = Int32Array.from(late, (reading) => ({ a: 2, b: 40, c: 7 })[reading.sensor] as number);
  const { timestamps, values } = columns(late);
  const crossings = byKey.processKeyed(keys, timestamps, values);
  assert.deepEqual(crossings, byId.process(late));
  assert.deepEqual(
    crossings.map((crossing) => crossing.sensor),
    ['a', 'b', 'c'],
    'each sensor’s jump found',
  );
  assert.equal(byKey.sensorCount, 3);
  assert.deepEqual(
    byKey.takeStates(true).map((saved) => [saved.sensor, saved.lastTs, [...saved.state]]),
    byId.takeStates(true).map((saved) => [saved.sensor, saved.lastTs, [...saved.state]]),
  );
});

test('a sensor key met before its sensor was named is an error, and a bad key cannot be named', () => {
  const scored = detectors(0);
  const { timestamps, values } = { timestamps: Float64Array.of(1), values: Float64Array.of(1) };
  assert.throws(
    () => scored.processKeyed(Int32Array.of(3), timestamps, values),
    /sensor key 3 came in a batch before/,
  );
  assert.throws(() => scored.nameKeys([-1], ['x']), /sensor key must be an integer ≥ 0, got -1/);
});

void test('keyed batches bring the states they need back in runs, and score as in memory', () => {
  let spill = new MemoryStateSpill(1);
  // Room for about 240 of the 600 sensors.
  const budgeted = new SensorDetectors({ ...options, stateMemoryBytes: 264_000 }, (bytes) => {
    spill = new MemoryStateSpill(bytes);
    return spill;
  });
  const plain = new SensorDetectors(options);
  assert.ok(budgeted.inMemoryLimit >= 200 && budgeted.inMemoryLimit <= 280, `${budgeted.inMemoryLimit}`);
  const sensors = 600;
  nameEvery(sensors, budgeted, plain);
  // Round-robin (each sensor's state is out by its next reading), in batches of 100 readings;
  // a sensor met twice in a batch now and then; each sensor's own spike late on. Measured here: about
  // 5 records a read and 2 a write (one each before); with 100,000 sensors, an eighth of them in
  // memory and 5,000 readings a batch, about 30 a read, and 500 falling to 100 a write over twelve rounds.
  let alerts = 0;
  for (let round = 0; round < 300; round++) {
    for (let start = 0; start < sensors; start += 100) {
      const keys = Int32Array.from({ length: 100 }, (_, index) =>
        index === 7 && round % 3 === 0 ? start : start + index,
      );
      const timestamps = Float64Array.from(keys, (key, index) => round * 60_000 + index + key);
      const values = Float64Array.from(keys, (key) =>
        round === 240 + (key % 40) ? 400 : 10 + (((key + 1) * 7919 + round * 104729) % 1000) / 1000,
      );
      const crossings = budgeted.processKeyed(keys, timestamps, values);
      assert.deepEqual(crossings, plain.processKeyed(keys, timestamps, values));
      alerts += crossings.length;
    }
  }
  assert.ok(alerts >= 300, `${alerts} alerts (the spikes)`);
  assert.ok(budgeted.inMemory <= budgeted.inMemoryLimit);
  assert.ok(
    spill.recordsRead > 100_000 && spill.recordsRead > 3 * spill.reads,
    `${spill.recordsRead} records in ${spill.reads} reads`,
  );
  assert.ok(
    spill.recordsWritten > 100_000 && spill.recordsWritten > 1.5 * spill.writes,
    `${spill.recordsWritten} records in ${spill.writes} writes`,
  );
  // Taking the states reads those out of memory in runs too.
  const out = budgeted.sensorCount - budgeted.inMemory;
  const readsBefore = spill.reads;
  assert.deepEqual(byName(budgeted.takeStates(true)), byName(plain.takeStates(true)));
  assert.ok(
    spill.reads - readsBefore < out / 3,
    `${out} states out read in ${spill.reads - readsBefore} reads`,
  );
});

void test('a spill that fails to write or read leaves the detectors whole: the batch again scores on as without a budget', () => {
  class FlakySpill extends MemoryStateSpill {
    failing: 'write' | 'read' | undefined;
    override write(slot: number, bytes: Uint8Array): void {
      if (this.failing === 'write') throw new Error('disk full');
      super.write(slot, bytes);
    }
    override read(slot: number, into: Uint8Array): void {
      if (this.failing === 'read') throw new Error('read error');
      super.read(slot, into);
    }
  }
  let spill = new FlakySpill(1);
  const budgeted = new SensorDetectors({ ...options, stateMemoryBytes: 66_000 }, (bytes) => {
    spill = new FlakySpill(bytes);
    return spill;
  });
  const plain = new SensorDetectors(options);
  const sensors = 150;
  nameEvery(sensors, budgeted, plain);
  let failures = 0;
  for (let round = 0; round < 60; round++) {
    for (let start = 0; start < sensors; start += 25) {
      const keys = Int32Array.from({ length: 25 }, (_, index) => start + index);
      const timestamps = Float64Array.from(keys, (key) => round * 60_000 + key);
      const values = Float64Array.from(
        keys,
        (key) => 10 + (((key + 1) * 7919 + round * 104729) % 1000) / 1000,
      );
      const expected = plain.processKeyed(keys, timestamps, values);
      if (round === 20 || round === 30) {
        spill.failing = round === 20 ? 'write' : 'read';
        assert.throws(() => budgeted.processKeyed(keys, timestamps, values), /disk full|read error/);
        failures += 1;
        spill.failing = undefined;
        // Sent again, the readings scored before the failure are not scored twice.
        budgeted.processKeyed(keys, timestamps, values);
      } else {
        assert.deepEqual(budgeted.processKeyed(keys, timestamps, values), expected);
      }
      assert.ok(budgeted.inMemory <= budgeted.inMemoryLimit, `${budgeted.inMemory} in memory`);
    }
  }
  assert.equal(failures, 12);
  // A take that fails to read leaves every state to be taken by the next one.
  spill.failing = 'read';
  assert.throws(() => budgeted.takeStates(true), /read error/);
  spill.failing = undefined;
  assert.deepEqual(byName(budgeted.takeStates()), byName(plain.takeStates(true)));
});
