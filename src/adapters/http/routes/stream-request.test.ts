import assert from 'node:assert/strict';
import { test } from 'node:test';
import { streamBody, streamQuery } from './stream-request.ts';

test('a query splits sensor at commas and drops empty ids; one that names no sensor is refused', () => {
  assert.deepEqual(streamQuery({ sensor: 'a,,b,', asset: 'p1' }), {
    sensors: ['a', 'b'],
    asset: 'p1',
    bbox: undefined,
  });
  assert.deepEqual(streamQuery({}), { asset: undefined, bbox: undefined });
  assert.deepEqual(streamQuery({ sensor: '' }), { status: 400, error: "sensor='' names no sensor" });
  assert.deepEqual(streamQuery({ sensor: ',' }), { status: 400, error: "sensor=',' names no sensor" });
  // Refused here, before the stream takes a slot: a client at its limit is told what is wrong.
  assert.deepEqual(streamQuery({ asset: '' }), { status: 400, error: "asset='' names no asset" });
  assert.match((streamQuery({ bbox: '1,2' }) as { error: string }).error, /^bbox='1,2' must be/);
});

test('a body takes the query parameters as fields, sensor as a list whose ids may hold commas', () => {
  assert.deepEqual(streamBody({ sensor: ['cpu.value,host=h', '', 'b'], bbox: '3,51,5,53' }), {
    sensors: ['cpu.value,host=h', 'b'],
    asset: undefined,
    bbox: '3,51,5,53',
  });
  assert.deepEqual(streamBody({}), { asset: undefined, bbox: undefined });
});

test('a refused body names the field or item at fault', () => {
  const many = Array.from({ length: 100_001 }, (_, index) => `s${index}`);
  const cases: [unknown, RegExp][] = [
    [
      [],
      /^body must be \{"sensor"\?: \[string, \.\.\.\], "asset"\?: string, "bbox"\?: .* with at most 100000 sensor ids$/,
    ],
    [{ sensors: ['a'] }, /; 'sensors' is not a field \(did you mean 'sensor'\?\)$/],
    [{ other: ['a'] }, /; 'other' is not a field$/],
    [{ asset: '' }, /^asset='' names no asset$/],
    [
      { sensor: ['a'], bbox: '1,2' },
      /^bbox='1,2' must be minLon,minLat,maxLon,maxLat in degrees: it has 2 parts$/,
    ],
    [{ sensor: 'a,b' }, /; sensor is "a,b"$/],
    [{ sensor: ['a', 7] }, /^sensor\[1\] is 7; each id must be a string$/],
    [{ sensor: many }, /^sensor has 100001 ids; at most 100000$/],
    [{ sensor: [] }, /^sensor=\[\] names no sensor$/],
    [{ sensor: [''] }, /^sensor=\[""\] names no sensor$/],
    [{ asset: 7 }, /; asset is 7$/],
    [{ bbox: [3, 51, 5, 53] }, /; bbox is \[3,51,5,53\]$/],
  ];
  for (const [body, message] of cases) {
    const request = streamBody(body);
    assert.ok('error' in request, JSON.stringify(body).slice(0, 100));
    assert.equal(request.status, 400);
    assert.match(request.error, message);
  }
});
