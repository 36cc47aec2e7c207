import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBus } from '../../adapters/memory/bus.ts';
import { MemoryReadings } from '../../adapters/memory/readings.ts';
import { MemoryRegistry } from '../../adapters/memory/registry.ts';
import type { ParsedBatch } from '../../core/readings/reading.ts';
import { EdgeIngest } from './edge-ingest.ts';

const batch = (sensor: string, count: number): ParsedBatch => ({
  readings: Array.from({ length: count }, (_, i) => ({ sensor, ts: 1_700_000_000_000 + i, value: i })),
  rejected: [],
});

test('turns batches away as overloaded while the downstream backlog is over its limit, then takes them', async () => {
  const readings = new MemoryReadings();
  let backlog = 5_000;
  const edge = new EdgeIngest({
    ingestor: readings,
    registry: new MemoryRegistry(),
    bus: new MemoryBus(),
    policy: 'auto-register',
    downstream: { backlogReadings: () => backlog },
    maxDownstreamBacklogReadings: 4_000,
  });
  const refused = await edge.accept(batch('pump-1', 10));
  assert.deepEqual(refused, { ok: false, reason: 'overloaded', retryAfterSeconds: 1, rejected: [] });
  backlog = 3_000;
  const taken = await edge.accept(batch('pump-1', 10));
  assert.deepEqual(taken, { ok: true, accepted: 10, rejected: [] });
});
