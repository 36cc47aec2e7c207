import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpFixture } from '../../../test/support/http-fixture.ts';
import { StorageUnavailableError } from '../../services/ingest/storage-unavailable.ts';

function failing(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

const reading = [{ sensor: 'pump-1', ts: Date.UTC(2026, 0, 1) - 1000, value: 1 }];

test('a full disk under the write-ahead log answers 507 with Retry-After and the cause, not a bare 500', async () => {
  const fixture = await httpFixture();
  fixture.readings.ingest = () =>
    Promise.reject(new StorageUnavailableError(failing('ENOSPC', 'no space left on device, write')));
  const response = await fixture.post('device', '/api/v1/readings', reading);
  assert.equal(response.status, 507);
  assert.equal(response.headers.get('retry-after'), '5');
  const body = (await response.json()) as { error: string };
  assert.match(body.error, /write-ahead log cannot be written \(ENOSPC: no space left on device, write\)/);
});

test('another write-ahead-log failure answers 503 with Retry-After, on line protocol too', async () => {
  const fixture = await httpFixture();
  fixture.readings.ingest = () =>
    Promise.reject(new StorageUnavailableError(failing('EIO', 'i/o error, fdatasync')));
  const response = await fixture.post(
    'device',
    '/api/v1/write?precision=ms',
    'm value=1 1767225599000',
    'text/plain',
  );
  assert.equal(response.status, 503);
  assert.equal(response.headers.get('retry-after'), '5');
  await response.arrayBuffer();
});

test('while shutting down ingest answers 503 with Retry-After and asks the client to close the connection', async () => {
  const fixture = await httpFixture();
  await fixture.readings.shutdown();
  const response = await fixture.post('device', '/api/v1/readings', reading);
  assert.equal(response.status, 503);
  assert.equal(response.headers.get('retry-after'), '5');
  assert.equal(response.headers.get('connection'), 'close');
  await response.arrayBuffer();
});

test('a store that cannot take readings now (a cluster without quorum) answers 503 with Retry-After and why, keeping the connection', async () => {
  const fixture = await httpFixture();
  fixture.readings.ingest = async () => ({
    ok: false,
    reason: 'unavailable',
    retryAfterSeconds: 5,
    message: 'JetStream cannot store readings now (no quorum)',
  });
  const response = await fixture.post('device', '/api/v1/readings', reading);
  assert.equal(response.status, 503);
  assert.equal(response.headers.get('retry-after'), '5');
  assert.equal(response.headers.get('connection'), null);
  const body = (await response.json()) as { error: string };
  assert.equal(body.error, 'JetStream cannot store readings now (no quorum), retry later');
});
