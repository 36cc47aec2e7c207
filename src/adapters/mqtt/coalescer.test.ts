import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateJsonBatch } from '../../core/ingest/json-batch.ts';
import type { ParsedBatch } from '../../core/readings/reading.ts';
import type { EdgeIngest, EdgeOutcome } from '../../services/edge/edge-ingest.ts';
import { Coalescer } from './coalescer.ts';

/** An edge whose `accept` fails while `failure` is set. */
function edge(state: { failure: Error | undefined }): EdgeIngest {
  return {
    accept: async (batch: ParsedBatch): Promise<EdgeOutcome> => {
      if (state.failure !== undefined) throw state.failure;
      return { ok: true, accepted: batch.readings.length, rejected: [] };
    },
  } as unknown as EdgeIngest;
}

const message = (ts: number): ParsedBatch => ({ readings: [{ sensor: 's', ts, value: 1 }], rejected: [] });

test('a storage failure rejects the messages with its error (no PUBACK), logged once until storing works again', async () => {
  // Regression: the error was swallowed and the messages settled as "shutting down", with no log line.
  const state = { failure: new Error('readings not stored: ENOSPC') as Error | undefined };
  const lines: string[] = [];
  const coalescer = new Coalescer({ edge: edge(state), log: (line) => lines.push(line) });
  await assert.rejects(coalescer.add(message(1), 'mqtt'), /ENOSPC/);
  await assert.rejects(coalescer.add(message(2), 'mqtt'), /ENOSPC/);
  // A QoS 0 message nobody waits for must not become an unhandled rejection.
  void coalescer.add(message(3), 'mqtt');
  await coalescer.drain();
  state.failure = undefined;
  assert.equal(await coalescer.add(message(4), 'mqtt'), 'stored');
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(
    lines[0] ?? '',
    /^ingest of MQTT readings failed: readings not stored: ENOSPC \(PUBACKs are withheld/,
  );
  assert.match(lines[1] ?? '', /^ingest of MQTT readings works again after [\d.]+ s, 3 failures$/);
});

test('QoS 0 messages put without a promise go out in the batch of those waited on, and count towards the high-water mark', async () => {
  const batches: number[][] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held: EdgeIngest = {
    accept: async (batch: ParsedBatch): Promise<EdgeOutcome> => {
      batches.push(batch.readings.map((reading) => reading.ts));
      await gate;
      return { ok: true, accepted: batch.readings.length, rejected: [] };
    },
  } as unknown as EdgeIngest;
  const coalescer = new Coalescer({ edge: held, highWaterReadings: 3, log: () => {} });
  coalescer.put(message(1), 'mqtt');
  const waited = coalescer.add(message(2), 'mqtt');
  assert.ok(coalescer.hasRoom, '2 readings in flight, under 3');
  coalescer.put(message(3), 'mqtt');
  assert.ok(!coalescer.hasRoom, '3 readings in flight');
  let admitted = false;
  const admission = coalescer.admit().then(() => (admitted = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(batches, [[1, 2, 3]]);
  assert.ok(!admitted, 'no room until the batch is stored');
  release();
  assert.equal(await waited, 'stored');
  await admission;
  assert.ok(coalescer.hasRoom);
  await coalescer.drain();
});

test('messages parsed as columns reach the edge as columns: one as it is, several joined in order, and again so after overloaded', async () => {
  const seen: { columns: boolean; sensors: string[]; rejected: number }[] = [];
  const first = new Set<ParsedBatch>();
  let overloadOnce = true;
  const recording: EdgeIngest = {
    accept: async (batch: ParsedBatch): Promise<EdgeOutcome> => {
      first.add(batch);
      seen.push({
        columns: batch.columns !== undefined,
        sensors: batch.readings.map((reading) => reading.sensor),
        rejected: batch.rejected.length,
      });
      if (overloadOnce && batch.readings.length === 3) {
        overloadOnce = false;
        return { ok: false, reason: 'overloaded', retryAfterSeconds: 0, rejected: [] };
      }
      return { ok: true, accepted: batch.readings.length, rejected: [] };
    },
  } as unknown as EdgeIngest;
  const parsed = (body: unknown): ParsedBatch => {
    const outcome = validateJsonBatch(body, 10_000);
    assert.ok(outcome.ok);
    return outcome.batch;
  };
  const coalescer = new Coalescer({ edge: recording, maxRetryMillis: 1, log: () => {} });
  const alone = parsed([
    { sensor: 'a', ts: 1, value: 1 },
    { sensor: 'b', ts: 1, value: 'x' },
  ]);
  assert.equal(await coalescer.add(alone, 'mqtt'), 'stored');
  assert.ok(first.has(alone), 'a lone message goes as it was parsed');
  const joined = [
    coalescer.add(parsed({ sensor: 'c', ts: 1, value: 1 }), 'mqtt'),
    coalescer.add(
      parsed([
        { sensor: 'd', ts: 1, value: 1 },
        { sensor: 'e', ts: 1 },
      ]),
      'mqtt',
    ),
    coalescer.add(parsed({ sensor: 'f', ts: 1, value: 1 }), 'mqtt'),
  ];
  assert.deepEqual(await Promise.all(joined), ['stored', 'stored', 'stored']);
  assert.deepEqual(seen, [
    { columns: true, sensors: ['a'], rejected: 1 },
    { columns: true, sensors: ['c', 'd', 'f'], rejected: 1 },
    { columns: true, sensors: ['c', 'd', 'f'], rejected: 0 },
  ]);
});
