import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectedWaitMinutes, recommendDestination } from '../../src/core/ems/destination.ts';
import type { Hospital, HospitalStatus } from '../../src/core/ems/hospital.ts';
import { EmergencyBoard } from '../../src/core/ems/board.ts';

const options = { speedKmPerHour: 60, roadFactor: 1, meanTreatmentMinutes: 40 };
const hospital = (id: string, xKm: number, slots: number): Hospital => ({
  id,
  name: id,
  location: { xKm, yKm: 0 },
  treatmentSpaces: slots,
  doctorsOnShift: slots,
});
const status = (h: Hospital, inTreatment: number, waitingByLevel = [0, 0, 0, 0, 0]): HospitalStatus => ({
  hospital: h,
  inTreatment,
  waitingByLevel,
});

void test('a level 2 patient goes past a full nearby department to a free one a little further', () => {
  const near = status(hospital('near', 1, 4), 4, [0, 1, 5, 3, 0]);
  const far = status(hospital('far', 8, 4), 1);
  const result = recommendDestination({ location: { xKm: 0, yKm: 0 }, level: 2 }, [near, far], options);
  assert.ok(result.ok);
  assert.equal(result.hospital, 'far');
  assert.equal(result.travelMinutes, 8);
  assert.equal(result.waitMinutes, 0);
  assert.match(result.reason, /beats nearest near/);
  assert.equal(result.alternatives[0]?.hospitalId, 'near');
  assert.equal(result.alternatives[0]?.waitMinutes, (2 * 40) / 4);
});

void test('with equal loads the nearest department wins, and the reason says so', () => {
  const result = recommendDestination(
    { location: { xKm: 0, yKm: 0 }, level: 3 },
    [status(hospital('b', 5, 3), 1), status(hospital('a', 2, 3), 1)],
    options,
  );
  assert.ok(result.ok);
  assert.equal(result.hospital, 'a');
  assert.match(result.reason, /is nearest/);
});

void test('the expected wait counts only patients of the same or a more urgent level, including those en route', () => {
  const s: HospitalStatus = {
    ...status(hospital('h', 0, 2), 2, [0, 1, 9, 9, 9]),
    incomingByLevel: [1, 0, 0, 0, 0],
  };
  assert.equal(expectedWaitMinutes(s, 1, 40), (2 * 40) / 2);
  assert.equal(expectedWaitMinutes(s, 2, 40), (3 * 40) / 2);
  assert.equal(expectedWaitMinutes(status(hospital('h', 0, 2), 1), 5, 40), 0);
});

void test('no hospital known is an explicit outcome, not an exception', () => {
  const result = recommendDestination({ location: { xKm: 0, yKm: 0 }, level: 1 }, [], options);
  assert.deepEqual(result, { ok: false, reason: 'no hospital with a treatment slot is known' });
});

void test('the board keeps each hospital queue in level-then-arrival order and feeds destination choice', () => {
  const board = new EmergencyBoard([hospital('near', 1, 2), hospital('far', 6, 2)]);
  assert.deepEqual(board.admit('near', { patientId: 'x', level: 3, arrivalMinutes: 0 }), { ok: true });
  assert.deepEqual(board.admit('near', { patientId: 'y', level: 1, arrivalMinutes: 5 }), { ok: true });
  assert.equal(board.admit('nowhere', { patientId: 'z', level: 1, arrivalMinutes: 5 }).ok, false);
  assert.deepEqual(
    board.queue('near').map((e) => e.patientId),
    ['y', 'x'],
  );
  assert.deepEqual(board.recordOccupancy('near', 2), { ok: true });
  assert.equal(board.recordOccupancy('near', -1).ok, false);
  const result = recommendDestination({ location: { xKm: 0, yKm: 0 }, level: 2 }, board.statuses(), options);
  assert.ok(result.ok);
  assert.equal(result.hospital, 'far');
  assert.equal(board.callNext('near')?.patientId, 'y');
});

void test('a closed department (0 doctors) sits on the board but is never recommended; all closed is no destination', () => {
  const closed: Hospital = { ...hospital('closed', 0, 6), doctorsOnShift: 0 };
  const board = new EmergencyBoard([closed, hospital('open', 9, 2)]);
  const request = { location: { xKm: 0, yKm: 0 }, level: 1 as const };
  const result = recommendDestination(request, board.statuses(), options);
  assert.ok(result.ok);
  assert.equal(result.hospital, 'open');
  assert.deepEqual(result.alternatives, []);
  const none = recommendDestination(request, new EmergencyBoard([closed]).statuses(), options);
  assert.deepEqual(none, { ok: false, reason: 'no hospital with a treatment slot is known' });
});
