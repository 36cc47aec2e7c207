import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JetStreamClient } from 'nats';
import { JetStreamIngestor } from './jetstream-ingestor.ts';
import { defaultLayout } from './shards.ts';

/** An ingestor whose every publish fails with `failure`; `storing` is what the probe last saw. */
function failingWith(failure: Error, storing = true): JetStreamIngestor {
  const js = {
    publish: async () => {
      throw failure;
    },
  };
  return new JetStreamIngestor({
    js: js as unknown as JetStreamClient,
    layout: defaultLayout,
    maxPendingReadings: 1_000,
    publishTimeoutMillis: 100,
    storing: () => storing,
  });
}

function natsError(code: string, api?: { code: number; err_code: number; description: string }): Error {
  return Object.assign(new Error(code), { code, api_error: api });
}

const readings = [{ sensor: 'pump-1', ts: 1, value: 1 }];

test('a publish no JetStream server can store is unavailable, not overloaded', async () => {
  // Regression: with two of three NATS servers gone every batch was answered "overloaded" (429).
  for (const failure of [
    natsError('503'),
    natsError('503', { code: 503, err_code: 10008, description: 'jetstream system temporarily unavailable' }),
    natsError('CONNECTION_CLOSED'),
  ]) {
    const result = await failingWith(failure).ingest(readings);
    assert.equal(result.ok === false && result.reason, 'unavailable', failure.message);
    assert.equal(!result.ok && result.reason === 'unavailable' && result.retryAfterSeconds, 5);
  }
});

test('an acknowledgement that times out is unavailable while the probe says JetStream cannot store, else overloaded', async () => {
  const slow = await failingWith(natsError('TIMEOUT'), true).ingest(readings);
  assert.deepEqual(slow, { ok: false, reason: 'overloaded', retryAfterSeconds: 1 });
  const stalled = await failingWith(natsError('TIMEOUT'), false).ingest(readings);
  assert.deepEqual(stalled, {
    ok: false,
    reason: 'unavailable',
    retryAfterSeconds: 5,
    message: 'JetStream cannot store readings now (no quorum)',
  });
});
