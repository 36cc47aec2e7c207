import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Sensor } from '../../core/registry/asset.ts';
import { MemoryBus } from '../../adapters/memory/bus.ts';
import type { Reading } from '../../core/readings/reading.ts';
import type { Registry } from '../../ports/registry.ts';
import { WarmedEdgeIngest } from './warmed-edge-ingest.ts';

/** A registry that, like the PostgreSQL one, only knows the sensors loaded into its cache. */
function cachedRegistry(stored: readonly string[]) {
  const cache = new Set<string>();
  const registry = {
    hasSensor: (id: string) => cache.has(id),
    addMissingSensors: async (_sensors: readonly Sensor[]) => undefined,
  } as unknown as Registry;
  const warm = async (ids: readonly string[]) => {
    for (const id of ids) if (stored.includes(id)) cache.add(id);
  };
  return { registry, warm };
}

function edge(warm: (ids: readonly string[]) => Promise<void>, registry: Registry, ingested: Reading[][]) {
  return new WarmedEdgeIngest({
    ingestor: {
      ingest: async (readings) => (ingested.push([...readings]), { ok: true, stored: readings.length }),
    },
    registry,
    bus: new MemoryBus(),
    policy: 'reject',
    warm,
  });
}

test('under the reject policy a sensor registered elsewhere is accepted once its batch warmed the cache', async () => {
  const { registry, warm } = cachedRegistry(['known']);
  const ingested: Reading[][] = [];
  const outcome = await edge(warm, registry, ingested).accept(
    {
      readings: [
        { sensor: 'known', ts: 1, value: 1 },
        { sensor: 'stranger', ts: 1, value: 2 },
      ],
      rejected: [],
    },
    'json',
  );
  assert.equal(outcome.ok, true);
  assert.deepEqual(ingested, [[{ sensor: 'known', ts: 1, value: 1 }]]);
  assert.deepEqual(
    outcome.rejected.map((rejection) => rejection.rule),
    ['unknown-sensor'],
  );
});

test('a batch whose sensors cannot be looked up is refused as overloaded, not rejected', async () => {
  const { registry } = cachedRegistry(['known']);
  const ingested: Reading[][] = [];
  const outcome = await edge(
    async () => {
      throw new Error('registry down');
    },
    registry,
    ingested,
  ).accept({ readings: [{ sensor: 'known', ts: 1, value: 1 }], rejected: [] }, 'json');
  assert.equal(outcome.ok, false);
  assert.equal(outcome.ok === false && outcome.reason, 'overloaded');
  assert.deepEqual(ingested, []);
});
