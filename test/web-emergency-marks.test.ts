import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrivedShownSeconds, emergencyMarks } from '../web/src/emergency-marks.ts';
import type { EmergencyVehicle } from '../web/src/emergency-vehicles-panel.ts';

function vehicle(id: string, fields: Partial<EmergencyVehicle>): EmergencyVehicle {
  return {
    id,
    from: 'j0',
    to: 'j3',
    route: ['j0', 'j1', 'j2', 'j3'],
    startedSeconds: 1000,
    state: 'on-its-way',
    at: null,
    prioritySeconds: null,
    baselineSeconds: null,
    ...fields,
  };
}

void test('a vehicle that just arrived stays marked on its last intersection for a few wall seconds; bug: at 120× its mark showed for one or two refreshes', () => {
  // Arrived at simulated 1000 + 300 = 1300; at 120× the snapshot 600 simulated seconds later is 5 wall seconds on.
  const arrived = vehicle('ev-1', { state: 'arrived', prioritySeconds: 300, baselineSeconds: null });
  assert.deepEqual([...emergencyMarks([arrived], 1900, 120)], [['j3', { here: [], arrived: ['ev-1'] }]]);
  const after = 1300 + arrivedShownSeconds * 120;
  assert.deepEqual([...emergencyMarks([arrived], after, 120)], [], 'gone after the time shown');
  // At real time the same few seconds are a few simulated ones.
  assert.deepEqual([...emergencyMarks([arrived], 1300 + arrivedShownSeconds, 1)], []);
});

void test('vehicles on their way are marked where they are; dropped ones, and arrivals without a speed, are not', () => {
  const marks = emergencyMarks(
    [
      vehicle('ev-3', { at: 'j2' }),
      vehicle('ev-2', { at: null }),
      vehicle('ev-1', { state: 'dropped' }),
      vehicle('ev-0', { state: 'arrived', prioritySeconds: 100, to: 'j2' }),
    ],
    1100,
    60,
  );
  assert.deepEqual([...marks], [['j2', { here: ['ev-3'], arrived: ['ev-0'] }]]);
  const arrived = vehicle('ev-0', { state: 'arrived', prioritySeconds: 100 });
  assert.deepEqual([...emergencyMarks([arrived], 1100, undefined)], []);
});
