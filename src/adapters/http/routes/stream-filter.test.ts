import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryRegistry } from '../../memory/registry.ts';
import type { BusEvent } from '../../../ports/bus.ts';
import { passesEvent, passesReading, resolveStreamFilter, type StreamFilter } from './stream-filter.ts';
import type { StreamRequest } from './stream-request.ts';

async function city(): Promise<MemoryRegistry> {
  const registry = new MemoryRegistry();
  await registry.putAssets([
    { id: 'crossing', type: 'intersection', name: 'Crossing', lat: 52.0, lon: 4.0, tags: {} },
    { id: 'pump', type: 'pump', name: 'Pump', lat: 10.0, lon: 4.0, tags: {} },
  ]);
  await registry.putSensors([
    { id: 'crossing.queue', kind: 'queue', unit: 'veh', asset: 'crossing', lat: null, lon: null, tags: {} },
    { id: 'pump.rpm', kind: 'rpm', unit: 'rpm', asset: 'pump', lat: null, lon: null, tags: {} },
  ]);
  return registry;
}

const phase: BusEvent = { type: 'signal-phase', ts: 1, asset: 'crossing', data: {} };
const order: BusEvent = { type: 'workorder', ts: 1, asset: 'pump', data: {} };
const alert: BusEvent = { type: 'alert', ts: 1, sensor: 'pump.rpm', asset: 'pump', data: {} };

async function resolved(request: StreamRequest): Promise<StreamFilter> {
  const filter = await resolveStreamFilter(await city(), request);
  assert.ok(!('error' in filter), JSON.stringify(filter));
  return filter;
}

test('events about a whole asset pass an asset, bbox or sensor filter that covers the asset', async () => {
  const byAsset = await resolved({ asset: 'crossing' });
  assert.equal(passesEvent(byAsset, phase), true);
  assert.equal(passesEvent(byAsset, order), false);
  assert.equal(passesReading(byAsset, 'crossing.queue'), true);
  const byBox = await resolved({ bbox: '3.5,51.5,4.5,52.5' });
  assert.equal(passesEvent(byBox, phase), true);
  assert.equal(passesEvent(byBox, order), false);
  const bySensor = await resolved({ sensors: ['pump.rpm'] });
  assert.equal(passesEvent(bySensor, order), true);
  assert.equal(passesEvent(bySensor, alert), true);
  assert.equal(passesEvent(bySensor, phase), false);
});

test('no filter passes everything; filters apply together', async () => {
  const all = await resolved({});
  assert.equal(passesEvent(all, phase) && passesEvent(all, order) && passesReading(all, 'x'), true);
  const both = await resolved({ asset: 'pump', bbox: '3.5,51.5,4.5,52.5' });
  assert.equal(passesEvent(both, order), false);
  assert.equal(passesReading(both, 'pump.rpm'), false);
});

test('an empty asset, a malformed or out-of-range box is refused naming the value; an unknown asset is a 404', async () => {
  const registry = await city();
  const cases: [StreamRequest, number, RegExp][] = [
    [{ asset: '' }, 400, /names no asset/],
    [{ asset: 'nope' }, 404, /no asset 'nope'/],
    [{ bbox: ',,,' }, 400, /'' is not a decimal number/],
    [{ bbox: '0x7,0,1,1' }, 400, /'0x7' is not a decimal number/],
    [{ bbox: '1,2,3' }, 400, /it has 3 parts/],
    [{ bbox: '-200,-10,200,10' }, 400, /longitudes lie in/],
    [{ bbox: '0,-100,1,10' }, 400, /latitudes lie in/],
    [{ bbox: '5,0,4,1' }, 400, /minimum must not exceed/],
  ];
  for (const [query, status, message] of cases) {
    const filter = await resolveStreamFilter(registry, query);
    assert.ok('error' in filter, JSON.stringify(query));
    assert.equal(filter.status, status, JSON.stringify(query));
    assert.match(filter.error, message);
  }
});

test('a sensor that does not exist yet may be waited for', async () => {
  const filter = await resolved({ sensors: ['future'] });
  assert.equal(passesReading(filter, 'future'), true);
  assert.equal(passesEvent(filter, order), false);
});

test('an asset or bbox filter covers every sensor and asset, however many; bug: only the first 100,000 were read', async () => {
  const registry = new MemoryRegistry();
  const count = 100_001;
  await registry.putAssets(
    Array.from({ length: count }, (_, index) => ({
      id: `a${String(index).padStart(6, '0')}`,
      type: 'pump',
      name: `Pump ${index}`,
      lat: 52,
      lon: 4,
      tags: {},
    })),
  );
  await registry.putSensors(
    Array.from({ length: count }, (_, index) => ({
      id: `s${String(index).padStart(6, '0')}`,
      kind: 'rpm',
      unit: 'rpm',
      asset: 'a000000',
      lat: null,
      lon: null,
      tags: {},
    })),
  );
  const byAsset = await resolveStreamFilter(registry, { asset: 'a000000' });
  assert.ok(!('error' in byAsset));
  assert.equal(byAsset.sensors?.size, count);
  assert.ok(byAsset.sensors?.has('s100000'));
  const byBox = await resolveStreamFilter(registry, { bbox: '3,51,5,53' });
  assert.ok(!('error' in byBox));
  assert.equal(byBox.assets?.size, count);
  assert.ok(passesEvent(byBox, { type: 'workorder', ts: 1, asset: 'a100000', data: {} }));
});

test('a bad box or an unknown asset is refused before any listed sensor is looked up', async () => {
  const registry = await city();
  let lookups = 0;
  const getSensors = registry.getSensors.bind(registry);
  registry.getSensors = (ids) => {
    lookups += 1;
    return getSensors(ids);
  };
  const sensors = Array.from({ length: 3_000 }, (_, index) => `s${index}`);
  for (const request of [
    { sensors, bbox: '1,2,3' },
    { sensors, asset: 'nope' },
  ])
    assert.ok('error' in (await resolveStreamFilter(registry, request)), JSON.stringify(request.bbox));
  assert.equal(lookups, 0);
});
