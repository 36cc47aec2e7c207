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
 * no duplicates, level-then-arrival-then-entry order of calls, withdrawals, and the calls kept
 * (each with its time) until they expire.
 */
export async function checkPatientQueueStore(store: PatientQueueStore): Promise<void> {
  assert.deepEqual(await store.waiting(), []);
  assert.equal(await store.takeNext('north', 100), undefined);
  assert.deepEqual(await store.called(0), [], 'nobody taken, no call recorded');
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
  assert.deepEqual(await store.takeNext('north', 10_000), patient('north', 'b', 1, 2_000));
  // Same level and arrival: the one admitted first.
  assert.equal((await store.takeNext('north', 20_000))?.patientId, 'a');
  assert.equal(await store.withdraw('north', 'c'), true);
  assert.equal(await store.withdraw('north', 'c'), false);
  assert.equal(await store.takeNext('north', 30_000), undefined);
  assert.deepEqual(
    await store.called(0),
    [
      { ...patient('north', 'b', 1, 2_000), calledMillis: 10_000 },
      { ...patient('north', 'a', 3, 1_000), calledMillis: 20_000 },
    ],
    'every call is kept with its time, in call order; a withdrawal is no call',
  );
  assert.deepEqual(
    (await store.called(20_000)).map((call) => call.patientId),
    ['a'],
    'a call before the time asked counts no more',
  );
  assert.deepEqual(
    (await store.called(0)).map((call) => call.patientId),
    ['a'],
    'an expired call is deleted, so the calls kept stay few',
  );
  assert.deepEqual(await store.waiting(), [patient('south', 'a', 2, 500)]);
  // A withdrawn or called patient may be admitted again.
  assert.equal(await store.add(patient('north', 'b', 2, 3_000)), true);
  assert.deepEqual(await store.takeNext('north', 40_000), patient('north', 'b', 2, 3_000));
  assert.deepEqual(
    (await store.called(20_000)).map((call) => [call.patientId, call.calledMillis]),
    [
      ['a', 20_000],
      ['b', 40_000],
    ],
  );
}
