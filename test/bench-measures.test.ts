import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isWeekendUtc,
  medianRun,
  metricValue,
  rssGrowthPerSensor,
  sideBySideRatio,
} from '../bench/measures.ts';

test('memory per sensor is the growth since before the sensors came, not the whole RSS', () => {
  // 300 MB of base memory, 60 MB more after 20,000 sensors: 3,000 bytes each, not 18,000.
  assert.equal(rssGrowthPerSensor(300e6, 360e6, 20_000), 3_000);
});

test('memory per sensor is null when no sensor was met or a reading is missing', () => {
  assert.equal(rssGrowthPerSensor(300e6, 360e6, 0), null);
  assert.equal(rssGrowthPerSensor(Number.NaN, 360e6, 10), null);
});

test('a side-by-side ratio is null when either side is missing, never taken from another figure', () => {
  assert.equal(sideBySideRatio(530_000, 717_000), 0.74);
  assert.equal(sideBySideRatio(undefined, 717_000), null);
  assert.equal(sideBySideRatio(530_000, null), null);
  assert.equal(sideBySideRatio(530_000, 0), null);
});

test('the median run is one that was measured: the lower middle of an even count, none of none', () => {
  const rate = (run: { rate: number }) => run.rate;
  assert.deepEqual(medianRun([{ rate: 3 }, { rate: 1 }, { rate: 2 }], rate), { rate: 2 });
  assert.deepEqual(medianRun([{ rate: 4 }, { rate: 1 }, { rate: 3 }, { rate: 2 }], rate), { rate: 2 });
  assert.deepEqual(medianRun([{ rate: 5 }], rate), { rate: 5 });
  assert.equal(medianRun([], rate), undefined);
});

test('the weekend is Saturday and Sunday in UTC', () => {
  const days = [
    '2026-01-01',
    '2026-01-02',
    '2026-01-03',
    '2026-01-04',
    '2026-01-05',
    '2026-01-06',
    '2026-01-07',
  ];
  assert.deepEqual(
    days.map((day) => isWeekendUtc(Date.parse(`${day}T12:00:00Z`))),
    [false, false, true, true, false, false, false],
  );
  assert.equal(isWeekendUtc(Date.parse('2026-01-03T00:00:00Z')), true);
  assert.equal(isWeekendUtc(Date.parse('2026-01-04T23:59:59.999Z')), true);
  assert.equal(isWeekendUtc(Date.parse('2026-01-05T00:00:00Z')), false);
});

test('a metric is read from a Prometheus page summed over its labels, and is null when absent', () => {
  const page = [
    '# HELP urban_brain_readings_accepted_total Readings accepted',
    'urban_brain_readings_accepted_total{path="http"} 1200',
    'urban_brain_readings_accepted_total{path="mqtt"} 300',
    'urban_brain_readings_accepted_total_other 7',
    'urban_brain_heap_bytes 2.5e+06',
  ].join('\n');
  assert.equal(metricValue(page, 'urban_brain_readings_accepted_total'), 1500);
  assert.equal(metricValue(page, 'urban_brain_heap_bytes'), 2_500_000);
  assert.equal(metricValue(page, 'urban_brain_missing'), null);
});
