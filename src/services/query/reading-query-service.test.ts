import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryReadingStore } from '../../adapters/memory/reading-store.ts';
import type { SeriesQuery } from '../../ports/reading-store.ts';
import { ReadingQueryService } from './reading-query-service.ts';
import { chooseResolution, defaultStep } from './resolution.ts';

test('reads from the coarsest rollup whose width divides the step', () => {
  assert.equal(chooseResolution(1_000), 'raw');
  assert.equal(chooseResolution(86_400), 'raw');
  assert.equal(chooseResolution(90_000), 'raw');
  assert.equal(chooseResolution(60_000), 'minute');
  assert.equal(chooseResolution(300_000), 'minute');
  assert.equal(chooseResolution(3_600_000), 'hour');
  assert.equal(chooseResolution(86_400_000), 'hour');
});

test('only among the rollups the store keeps', () => {
  assert.equal(chooseResolution(300_000, ['hour']), 'raw');
  assert.equal(chooseResolution(3_600_000, ['hour']), 'hour');
  assert.equal(chooseResolution(3_600_000, ['minute']), 'minute');
  assert.equal(chooseResolution(3_600_000, []), 'raw');
});

test('passes the chosen resolution to the store and checks the request', async () => {
  const store = new MemoryReadingStore();
  const seen: SeriesQuery[] = [];
  const series = store.series.bind(store);
  store.series = (query) => {
    seen.push(query);
    return series(query);
  };
  const queries = new ReadingQueryService(store);
  await queries.series('a', 0, 7_200_000, 3_600_000, 'max');
  assert.equal(seen[0]?.resolution, 'hour');
  await assert.rejects(queries.series('a', 0, 10, 0, 'avg'), RangeError);
  await assert.rejects(queries.series('a', -5, 10, 1, 'avg'), RangeError);
  await assert.rejects(queries.series('a', 0, 10_000_000, 1, 'avg'), /at most/);
  assert.deepEqual(await queries.series('a', 10, 5, 1, 'avg'), []);
});

test('latest answers only sensors that have readings', async () => {
  const store = new MemoryReadingStore();
  await store.append({
    keys: Uint32Array.of(store.sensorKey('a'), store.sensorKey('a')),
    timestamps: Float64Array.of(5, 9),
    values: Float64Array.of(1, 2),
    length: 2,
  });
  const latest = await new ReadingQueryService(store).latest(['a', 'b']);
  assert.deepEqual([...latest], [['a', { ts: 9, value: 2 }]]);
});

test('a series asked for without a step gets one the rollups can serve; bug: range / 1000 read raw readings', () => {
  assert.equal(defaultStep(86_400_000), 120_000, 'a day: 2 minutes, from the minute rollup');
  assert.equal(chooseResolution(defaultStep(86_400_000)), 'minute');
  assert.equal(defaultStep(60 * 86_400_000), 7_200_000, '60 days: 2 hours, from the hour rollup');
  assert.equal(chooseResolution(defaultStep(60 * 86_400_000)), 'hour');
  assert.equal(defaultStep(3_600_000), 4_000, 'an hour: 4 s');
  assert.equal(defaultStep(500), 1);
  for (const range of [1, 999, 1_001, 59_999_999, 3_600_000_001, 86_400_000 * 365])
    assert.ok(range / defaultStep(range) <= 1000, `at most 1,000 points for ${range}`);
});

test('counts the aligned buckets a range touches against the limit; bug: [5, 1000005) by 10 ms passed with 100,001', async () => {
  const queries = new ReadingQueryService(new MemoryReadingStore());
  await assert.rejects(queries.series('a', 5, 1_000_005, 10, 'avg'), /at most 100000 points/);
  assert.deepEqual(await queries.series('a', 0, 1_000_000, 10, 'avg'), []);
});
