import assert from 'node:assert/strict';
import type { Level } from '../core/triage/presentation.ts';
import type { AmbulanceTrip, AmbulanceTripStore } from '../ports/ambulance-trips.ts';

const trip = (
  id: string,
  hospital: string,
  level: Level,
  sentMillis: number,
  untilMillis: number,
): AmbulanceTrip => ({
  id,
  hospital,
  level,
  sentMillis,
  untilMillis,
});

/**
 * What every `AmbulanceTripStore` must do, run against each adapter by its own test: dispatch
 * order, overdue trips no longer counted, ending by id, arrival by level, then expected arrival,
 * then dispatch order.
 */
export async function checkAmbulanceTripStore(store: AmbulanceTripStore): Promise<void> {
  assert.deepEqual(await store.current(0), []);
  await store.add(trip('t1', 'north', 2, 1_000, 100_000));
  await store.add(trip('t2', 'north', 3, 2_000, 50_000));
  await store.add(trip('t3', 'south', 2, 3_000, 100_000));
  await store.add(trip('t4', 'north', 2, 4_000, 100_000));
  assert.deepEqual(
    (await store.current(10_000)).map((counted) => counted.id),
    ['t1', 't2', 't3', 't4'],
  );
  assert.deepEqual(await store.current(10_000).then((all) => all[1]), trip('t2', 'north', 3, 2_000, 50_000));
  assert.deepEqual(
    (await store.current(50_000)).map((counted) => counted.id),
    ['t1', 't3', 't4'],
    'a trip is counted while now < untilMillis',
  );
  assert.equal(await store.end('t2', 60_000), undefined, 'an overdue trip can no longer be ended');
  assert.deepEqual(await store.end('t3', 60_000), trip('t3', 'south', 2, 3_000, 100_000));
  assert.equal(await store.end('t3', 60_000), undefined, 'a trip ends once');
  assert.equal(await store.end('nope', 60_000), undefined);
  // Level 3 arrives at north: no level-3 trip counts there any more, so the earliest one there ends.
  assert.equal((await store.arrived('north', 3, 60_000))?.id, 't1');
  assert.equal((await store.arrived('south', 2, 60_000))?.id, undefined);
  await store.add(trip('t5', 'north', 1, 5_000, 100_000));
  assert.equal((await store.arrived('north', 1, 60_000))?.id, 't5', 'the same level first');
  assert.equal((await store.arrived('north', 1, 60_000))?.id, 't4');
  assert.equal(await store.arrived('north', 1, 60_000), undefined);
  assert.deepEqual(await store.current(60_000), []);
  // A crew sent later from nearer arrives first: its trip ends, the one still on its way counts.
  const far = { ...trip('t6', 'east', 2, 61_000, 200_000), arrivesMillis: 120_000 };
  const near = { ...trip('t7', 'east', 2, 62_000, 150_000), arrivesMillis: 80_000 };
  await store.add(far);
  await store.add(near);
  await store.add(trip('t8', 'east', 2, 63_000, 100_000));
  assert.deepEqual(await store.current(70_000), [far, near, trip('t8', 'east', 2, 63_000, 100_000)]);
  assert.deepEqual(await store.arrived('east', 2, 70_000), near, 'the one expected first');
  // A trip without an expected arrival is taken as expected at its deadline (100,000).
  assert.equal((await store.arrived('east', 2, 70_000))?.id, 't8');
  assert.deepEqual(await store.arrived('east', 3, 70_000), far, 'then at any level');
}
