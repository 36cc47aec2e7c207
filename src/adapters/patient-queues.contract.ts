import assert from 'node:assert/strict';
import type { PatientQueueStore, QueuedPatient } from '../ports/patient-queues.ts';

const patient = (
  hospital: string,
  patientId: string,
  level: 1 | 2 | 3,
  arrivalMillis: number,
): QueuedPatient => ({
  hospital,
  patientId,
  level,
  arrivalMillis,
});

/**
 * What every `PatientQueueStore` must do, run against each adapter by its own test: entry order,
 * no duplicates, level-then-arrival-then-entry order of calls, withdrawals.
 */
export async function checkPatientQueueStore(store: PatientQueueStore): Promise<void> {
  assert.deepEqual(await store.waiting(), []);
  assert.equal(await store.takeNext('north'), undefined);
  assert.equal(await store.add(patient('north', 'a', 3, 1_000)), true);
  assert.equal(await store.add(patient('north', 'b', 1, 2_000)), true);
  assert.equal(await store.add(patient('north', 'c', 3, 1_000)), true);
  assert.equal(
    await store.add(patient('south', 'a', 2, 500)),
    true,
    'the same id may wait at another hospital',
  );
  assert.equal(await store.add(patient('north', 'a', 1, 9_000)), false, 'a patient waits once per hospital');
  assert.deepEqual(
    (await store.waiting()).map((entry) => `${entry.hospital}/${entry.patientId}`),
    ['north/a', 'north/b', 'north/c', 'south/a'],
  );
  assert.deepEqual(await store.takeNext('north'), patient('north', 'b', 1, 2_000));
  // Same level and arrival: the one admitted first.
  assert.equal((await store.takeNext('north'))?.patientId, 'a');
  assert.equal(await store.withdraw('north', 'c'), true);
  assert.equal(await store.withdraw('north', 'c'), false);
  assert.equal(await store.takeNext('north'), undefined);
  assert.deepEqual(await store.waiting(), [patient('south', 'a', 2, 500)]);
  // A withdrawn or called patient may be admitted again.
  assert.equal(await store.add(patient('north', 'b', 2, 3_000)), true);
  assert.deepEqual(await store.takeNext('north'), patient('north', 'b', 2, 3_000));
}
