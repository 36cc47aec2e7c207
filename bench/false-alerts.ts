/**
 * False alerts on the live path: anomaly-free synthetic signals through the detection service's
 * per-sensor detectors (`SensorDetectors`, the shipped detector and threshold, 750 learning
 * readings, one hour of suppression), with a new sensor's learning time (`LEARNING_SPAN_MILLIS`)
 * and without it. 20 streams of each kind, started at different hours of the day, at one reading
 * every 30 s (7 days), every minute and every five minutes (14 days). Every alert here is false.
 * One JSON line on stdout, also written to bench/results/false-alerts.json. Progress on stderr.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findDetector, LEARNING_POINTS, LEARNING_SPAN_MILLIS } from '../src/core/anomaly/registry.ts';
import { noiseSource } from '../src/core/anomaly/synthetic.test-helpers.ts';
import type { Reading } from '../src/core/readings/reading.ts';
import { SensorDetectors } from '../src/services/detection/sensor-detectors.ts';
import { isWeekendUtc } from './measures.ts';
import { parseArgs } from 'node:util';
import { benchArguments } from './arguments.ts';

// No options: `--help` prints what this measures; anything else is refused.
benchArguments(import.meta.url, () => parseArgs({ options: {} }));

const dayMillis = 86_400_000;
const hourMillis = 3_600_000;
const streams = 20;
const spec = findDetector('rarity');
if (spec === undefined) throw new Error('the rarity detector is not registered');
const detector = spec;

type Signal = (ts: number, noise: () => number) => number;
/** Hour of day (UTC) of a timestamp, 0–24. */
const hourOf = (ts: number): number => (ts % dayMillis) / hourMillis;
const signals: Record<string, () => Signal> = {
  noise: () => (_ts, noise) => noise(),
  daily_sine: () => (ts, noise) => 10 + 3 * Math.sin((2 * Math.PI * ts) / dayMillis) + 0.3 * noise(),
  five_hour_sine: () => (ts, noise) => 20 + Math.sin(ts / 60_000 / 50) + 0.05 * noise(),
  office_occupancy: () => (ts, noise) => (hourOf(ts) >= 8 && hourOf(ts) < 18 ? 5 : 1) + 0.3 * noise(),
  weekday_sine: () => (ts, noise) =>
    10 + (isWeekendUtc(ts) ? 0 : 3 * Math.sin((2 * Math.PI * ts) / dayMillis)) + 0.3 * noise(),
  wandering_ar1: () => {
    let level = 0;
    return (_ts, noise) => (level = 0.99 * level + noise());
  },
};
const spacings = [
  { name: '30s', stepMillis: 30_000, days: 7 },
  { name: '1min', stepMillis: 60_000, days: 14 },
  { name: '5min', stepMillis: 300_000, days: 14 },
];

/** Alerts raised over `streams` streams of one signal, and how many in their first two days. */
function alerts(
  signal: () => Signal,
  stepMillis: number,
  days: number,
  learningSpanMillis: number,
  /** Every day from the third on, the hour from this minute of the day is missing (an outage); null: none. */
  outageMinute: number | null = null,
): { alerts: number; in_first_two_days: number } {
  let total = 0;
  let early = 0;
  for (let stream = 0; stream < streams; stream++) {
    const noise = noiseSource(999 + stream);
    const value = signal();
    const start = Date.UTC(2026, 0, 1) + Math.round((stream / streams) * dayMillis);
    const readings: Reading[] = [];
    for (let index = 0; index < (days * dayMillis) / stepMillis; index++) {
      const ts = start + index * stepMillis;
      const reading = { sensor: 's', ts, value: value(ts, noise) };
      const minuteOfDay = Math.floor(((ts - start) % dayMillis) / 60_000);
      const out =
        outageMinute !== null &&
        ts - start >= 2 * dayMillis &&
        minuteOfDay >= outageMinute &&
        minuteOfDay < outageMinute + 60;
      if (!out) readings.push(reading);
    }
    const crossings = new SensorDetectors({
      detector,
      threshold: detector.threshold,
      suppressionMillis: hourMillis,
      evidencePoints: 4,
      historyPoints: 8,
      learningReadings: LEARNING_POINTS,
      learningSpanMillis,
    }).process(readings);
    total += crossings.length;
    early += crossings.filter((crossing) => crossing.ts - start < 2 * dayMillis).length;
  }
  return { alerts: total, in_first_two_days: early };
}

const rows: Record<string, unknown>[] = [];
for (const { name: spacing, stepMillis, days } of spacings) {
  for (const [name, signal] of Object.entries(signals)) {
    const without = alerts(signal, stepMillis, days, 0);
    const withSpan = alerts(signal, stepMillis, days, LEARNING_SPAN_MILLIS);
    rows.push({ spacing, days, signal: name, without_learning_time: without, with_learning_time: withSpan });
    process.stderr.write(
      `false-alerts: ${spacing} ${name}: ${without.alerts} → ${withSpan.alerts} alerts over ${streams} streams\n`,
    );
  }
}
// Sensors that go silent for an hour every day (a gateway restarting, a network outage), from the
// third day: every alert beyond those of the same streams without outages comes from the outages.
const outageRows: Record<string, unknown>[] = [];
for (const [name, signal] of Object.entries(signals)) {
  const withoutOutages = alerts(signal, 60_000, 14, LEARNING_SPAN_MILLIS);
  const withOutages = alerts(signal, 60_000, 14, LEARNING_SPAN_MILLIS, 600);
  outageRows.push({ signal: name, without_outages: withoutOutages.alerts, with_outages: withOutages.alerts });
  process.stderr.write(
    `false-alerts: 1min ${name} with a daily hour's outage: ${withoutOutages.alerts} → ${withOutages.alerts} alerts\n`,
  );
}
const sum = (pick: (row: Record<string, unknown>) => number, of: string): number =>
  rows.filter((row) => row['spacing'] === of).reduce((total, row) => total + pick(row), 0);
const totals = Object.fromEntries(
  spacings.map(({ name }) => [
    name,
    {
      without_learning_time: sum((row) => (row['without_learning_time'] as { alerts: number }).alerts, name),
      with_learning_time: sum((row) => (row['with_learning_time'] as { alerts: number }).alerts, name),
    },
  ]),
);
const result = {
  benchmark: 'false-alerts',
  detector: detector.name,
  streams_per_signal: streams,
  learning_readings: LEARNING_POINTS,
  learning_span_hours: LEARNING_SPAN_MILLIS / hourMillis,
  totals,
  rows,
  outages: {
    spacing: '1min',
    days: 14,
    outage: 'the hour from 10:00 after each stream start, every day from the third',
    outages_per_stream: 12,
    with_learning_time: true,
    total_without_outages: outageRows.reduce((total, row) => total + (row['without_outages'] as number), 0),
    total_with_outages: outageRows.reduce((total, row) => total + (row['with_outages'] as number), 0),
    rows: outageRows,
  },
  measured_at: new Date().toISOString(),
};
const line = JSON.stringify(result);
const results = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'results');
await mkdir(results, { recursive: true });
await writeFile(path.join(results, 'false-alerts.json'), `${line}\n`);
process.stdout.write(`${line}\n`);
