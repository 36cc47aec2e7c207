import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAsset, checkSensor, idChange, maxTags } from './validate.ts';

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

void test('fields that are not part of the record are refused by name, so a misspelt one is not lost', () => {
  // Regression: {"id": "p", "latitude": 52, "longitude": 4} created an asset without a position.
  assert.deepEqual(refusals(checkAsset({ id: 'p', latitude: 52, longitude: 4 })), [
    ['latitude', 52, 'unknown-field'],
    ['longitude', 4, 'unknown-field'],
  ]);
  assert.deepEqual(refusals(checkAsset({ id: 'p', kind: 'flow' })), [['kind', 'flow', 'unknown-field']]);
  assert.deepEqual(refusals(checkSensor({ id: 's', type: 'pump' })), [['type', 'pump', 'unknown-field']]);
});

void test('tags are bounded: count, key length and value length, each refusal naming the tag', () => {
  // Regression: a tag of 5 MB and an asset of 100,000 tags were stored, and lists answered them whole.
  const many = Object.fromEntries(Array.from({ length: maxTags + 1 }, (_, i) => [`k${i}`, 'v']));
  assert.deepEqual(refusals(checkAsset({ id: 'p', tags: many })), [['tags', `${maxTags + 1} tags`, 'tags']]);
  assert.deepEqual(refusals(checkAsset({ id: 'p', tags: { '': 'v' } })), [['tags.', 'v', 'tags']]);
  assert.deepEqual(refusals(checkSensor({ id: 's', tags: { note: 'x'.repeat(1025) } })), [
    ['tags.note', 'x'.repeat(1025), 'tags'],
  ]);
  assert.deepEqual(refusals(checkSensor({ id: 's', tags: { n: 1 } })), [['tags.n', 1, 'tags']]);
  const bounded = Object.fromEntries(Array.from({ length: maxTags }, (_, i) => [`k${i}`, 'v'.repeat(1024)]));
  assert.ok(checkAsset({ id: 'p', tags: bounded }).ok);
});

void test('a missing id is refused with the value null, so the answer names it', () => {
  assert.deepEqual(refusals(checkSensor({ kind: 'flow' })), [['id', null, 'id']]);
});

void test('a replacement may repeat its id but not change it', () => {
  assert.equal(idChange({ name: 'x' }, 'p1'), undefined);
  assert.equal(idChange({ id: 'p1' }, 'p1'), undefined);
  assert.match(idChange({ id: 'p9' }, 'p1') ?? '', /^id "p9" in the body differs from 'p1' in the path/);
});
