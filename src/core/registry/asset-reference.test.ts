import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unknownSensor, type Sensor } from './asset.ts';
import { assetsNamed, refuseUnknownAssets } from './asset-reference.ts';

function sensor(id: string, asset: string | null): Sensor {
  return { ...unknownSensor(id), asset };
}

void test('sensors naming an unknown asset move to the refused rows, which stay in row order', () => {
  const sensors = [sensor('a', 'p1'), sensor('b', 'gone'), sensor('c', null), sensor('d', 'p1')];
  assert.deepEqual(assetsNamed(sensors), ['p1', 'gone']);
  const earlier = { row: 3, field: 'lat', value: 'x', rule: 'coordinate', message: 'lat must be a number' };
  const result = refuseUnknownAssets(
    { records: sensors, rows: [2, 4, 5, 6], rejected: [earlier] },
    new Set(['p1']),
  );
  assert.deepEqual(
    result.records.map((s) => s.id),
    ['a', 'c', 'd'],
  );
  assert.deepEqual(result.rows, [2, 5, 6]);
  assert.deepEqual(
    result.rejected.map((r) => [r.row, r.field, r.value, r.rule]),
    [
      [3, 'lat', 'x', 'coordinate'],
      [4, 'asset', 'gone', 'unknown-asset'],
    ],
  );
});
