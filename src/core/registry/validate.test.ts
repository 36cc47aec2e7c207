import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAsset, checkSensor } from './validate.ts';

function refusals(checked: ReturnType<typeof checkAsset | typeof checkSensor>): [string, unknown, string][] {
  return checked.ok ? [] : checked.errors.map((error) => [error.field, error.value, error.rule]);
}

void test('coordinates are numbers or decimal strings; blank, hex and exponent strings are refused', () => {
  assert.deepEqual(refusals(checkAsset({ id: 'p', lat: ' ', lon: '0x10' })), [
    ['lat', ' ', 'coordinate'],
    ['lon', '0x10', 'coordinate'],
  ]);
  assert.deepEqual(refusals(checkAsset({ id: 'p', lat: '1e1', lon: 'Infinity' })), [
    ['lat', '1e1', 'coordinate'],
    ['lon', 'Infinity', 'coordinate'],
  ]);
  assert.deepEqual(refusals(checkAsset({ id: 'p', lat: true, lon: [4] })), [
    ['lat', true, 'coordinate'],
    ['lon', [4], 'coordinate'],
  ]);
  const decimal = checkSensor({ id: 's', lat: '-52.5', lon: '.5' });
  assert.ok(decimal.ok);
  assert.deepEqual([decimal.value.lat, decimal.value.lon], [-52.5, 0.5]);
});

void test('lat and lon are given together or not at all', () => {
  assert.deepEqual(refusals(checkAsset({ id: 'p', lat: 10 })), [['lon', null, 'position']]);
  assert.deepEqual(refusals(checkSensor({ id: 's', lon: '4.9', lat: '' })), [['lat', '', 'position']]);
  const neither = checkAsset({ id: 'p' });
  assert.ok(neither.ok);
  assert.deepEqual([neither.value.lat, neither.value.lon], [null, null]);
});

void test("ids '.' and '..' are refused (a URL cannot name them), other dotted ids pass", () => {
  // Regression: such sensors were accepted, then /api/v1/sensors/%2E%2E was normalised to /api/v1/.
  assert.deepEqual(refusals(checkSensor({ id: '.' })), [['id', '.', 'id']]);
  assert.deepEqual(refusals(checkSensor({ id: '..' })), [['id', '..', 'id']]);
  assert.deepEqual(refusals(checkAsset({ id: '..', type: 'pump' })), [['id', '..', 'id']]);
  assert.deepEqual(refusals(checkSensor({ id: '...', asset: '.p' })), []);
});
