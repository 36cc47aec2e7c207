import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Asset } from '../../core/registry/asset.ts';
import { departmentFromAsset, greatCircleKm } from './departments.ts';

function asset(tags: Record<string, string>): Asset {
  return { id: 'h', type: 'hospital', name: 'H', lat: 50, lon: 8, tags };
}

function capacity(tags: Record<string, string>) {
  const department = departmentFromAsset(asset(tags), 50);
  assert.ok(department !== undefined);
  const { treatmentSpaces, doctorsOnShift } = department.hospital;
  return { treatmentSpaces, doctorsOnShift, problems: department.problems };
}

test('capacity tags absent: 10 treatment spaces and 4 doctors', () => {
  assert.deepEqual(capacity({}), { treatmentSpaces: 10, doctorsOnShift: 4, problems: [] });
});

test('capacity tags and their aliases are read as whole numbers, the first one present counting', () => {
  assert.deepEqual(capacity({ treatment_spaces: '12', doctors_on_shift: ' 5 ' }), {
    treatmentSpaces: 12,
    doctorsOnShift: 5,
    problems: [],
  });
  assert.deepEqual(capacity({ beds: '8', doctors: '3' }), {
    treatmentSpaces: 8,
    doctorsOnShift: 3,
    problems: [],
  });
  assert.deepEqual(capacity({ treatmentSpaces: '7', beds: '99', doctorsOnShift: '2' }), {
    treatmentSpaces: 7,
    doctorsOnShift: 2,
    problems: [],
  });
});

test('0 is a closed department, not the default', () => {
  // Regression: "0" used to be read as 10 spaces and 4 doctors.
  assert.deepEqual(capacity({ treatment_spaces: '0', doctors_on_shift: '0' }), {
    treatmentSpaces: 0,
    doctorsOnShift: 0,
    problems: [],
  });
});

test('an unreadable capacity tag counts as 0 and is reported with its name and value', () => {
  for (const text of ['abc', '-1', '2.5', '', '1e3']) {
    const read = capacity({ treatment_spaces: '6', doctors_on_shift: text });
    assert.equal(read.doctorsOnShift, 0, text);
    assert.equal(read.treatmentSpaces, 6);
    assert.deepEqual(read.problems, [
      `tag doctors_on_shift ${JSON.stringify(text)} must be a whole number ≥ 0; counted as 0 (closed) until fixed`,
    ]);
  }
});

test('the great-circle distance from (0, 0) to a city at 50° N, 8° E is about 5,600 km', () => {
  const km = greatCircleKm(0, 0, 50, 8);
  assert.ok(km > 5500 && km < 5700, String(km));
  assert.ok(Math.abs(greatCircleKm(50, 8, 50, 8.084) - 6.0) < 0.1);
});
