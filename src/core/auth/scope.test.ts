import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ParsedBatch } from '../readings/reading.ts';
import { checkScope, compileScope, inScope, restrictToScope } from './scope.ts';

const reading = (sensor: string, value = 1) => ({ sensor, ts: 1_000, value });

void test('a scope admits its exact ids and the ids starting with a prefix pattern, nothing else', () => {
  const scope = compileScope(['gw-12.*', 'pump-7.flow']);
  assert.equal(inScope(scope, 'pump-7.flow'), true);
  assert.equal(inScope(scope, 'gw-12.temperature'), true);
  assert.equal(inScope(scope, 'gw-12.'), true);
  assert.equal(inScope(scope, 'pump-7.flow2'), false, 'an exact id is not a prefix');
  assert.equal(inScope(scope, 'gw-1'), false);
  assert.equal(inScope(scope, 'hospital-1.occupancy'), false);
  assert.equal(inScope(compileScope(['*']), 'anything'), true);
});

void test('scopes are checked: a non-empty array of ids or prefixes, each field and value named', () => {
  assert.deepEqual(checkScope(['a.*', 'b', 'a.*']), { ok: true, value: ['a.*', 'b'] });
  for (const bad of [[], 'a.*', null, {}, new Array(1001).fill('a')]) {
    const checked = checkScope(bad);
    assert.ok(!checked.ok && /^sensors must be an array of 1 to 1000/.test(checked.message), String(bad));
  }
  const slash = checkScope(['ok', 'city/+/x']);
  assert.ok(!slash.ok && slash.message.startsWith('sensors[1]="city/+/x" must be a sensor id'));
  const number = checkScope([7]);
  assert.ok(!number.ok && number.message.startsWith('sensors[0]=7 must be'));
  assert.equal(checkScope(['..']).ok, false);
});

void test('readings outside the scope are refused as forbidden-sensor, naming their item; the rest kept', () => {
  // Regression: any device key could write any sensor, hospital occupancy included.
  const batch: ParsedBatch = {
    readings: [reading('gw-12.t'), reading('hospital-1.occupancy', 99), reading('gw-12.h')],
    rejected: [{ index: 1, field: 'value', value: 'x', rule: 'not-a-number', message: 'm' }],
  };
  const restricted = restrictToScope(batch, compileScope(['gw-12.*']));
  assert.deepEqual(
    restricted.readings.map((r) => r.sensor),
    ['gw-12.t', 'gw-12.h'],
  );
  assert.deepEqual(restricted.items, [0, 3]);
  assert.deepEqual(
    restricted.rejected.map((r) => [r.index, r.rule, r.sensor]),
    [
      [1, 'not-a-number', undefined],
      [2, 'forbidden-sensor', 'hospital-1.occupancy'],
    ],
  );
});

void test('item positions given by the parser (line protocol: several readings per line) are kept', () => {
  const batch: ParsedBatch = {
    readings: [reading('m.a'), reading('m.b'), reading('n.a')],
    rejected: [],
    items: [0, 0, 1],
  };
  const restricted = restrictToScope(batch, compileScope(['m.a', 'n.*']));
  assert.deepEqual(restricted.items, [0, 1]);
  assert.deepEqual(
    restricted.rejected.map((r) => [r.index, r.sensor]),
    [[0, 'm.b']],
  );
});

void test('a batch wholly in scope is returned as it is', () => {
  const batch: ParsedBatch = { readings: [reading('a'), reading('a')], rejected: [] };
  assert.equal(restrictToScope(batch, compileScope(['a'])), batch);
});
