import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpFixture } from '../../../../test/support/http-fixture.ts';

async function series(f: Awaited<ReturnType<typeof httpFixture>>, query: string) {
  const response = await f.request('viewer', `/api/v1/sensors/s/readings?${query}`);
  return { status: response.status, body: (await response.json()) as { error?: string; points?: unknown[] } };
}

void test('a series never answers more than 100,000 points; bug: an unaligned range gave 100,001', async () => {
  const f = await httpFixture();
  // Readings in the first and last of the 100,001 buckets of 10 ms that [5, 1000005) touches.
  await f.post('device', '/api/v1/readings', [
    { sensor: 's', ts: 5, value: 1 },
    { sensor: 's', ts: 1_000_004, value: 2 },
  ]);
  const refused = await series(f, 'from=5&to=1000005&step=10');
  assert.equal(refused.status, 400);
  assert.equal(
    refused.body.error,
    'step=10 (10 ms) gives 100001 points over 1000000 ms; at most 100000: a step of 11 ms or more fits',
  );
  const aligned = await series(f, 'from=0&to=1000000&step=10');
  assert.equal(aligned.status, 200);
  assert.equal(aligned.body.points?.length, 1);
});

void test('a step of 1 ms over a day is refused with the step that fits', async () => {
  const f = await httpFixture();
  await f.post('device', '/api/v1/readings', [{ sensor: 's', ts: 1, value: 1 }]);
  const refused = await series(f, 'from=2025-12-30&to=2025-12-31&step=1ms');
  assert.equal(refused.status, 400);
  assert.equal(
    refused.body.error,
    'step=1ms (1 ms) gives 86400000 points over 86400000 ms; at most 100000: a step of 865 ms or more fits',
  );
  assert.equal((await series(f, 'from=2025-12-30&to=2025-12-31&step=865ms')).status, 200);
});

void test('a date before 1970 is refused naming the bound', async () => {
  const f = await httpFixture();
  await f.post('device', '/api/v1/readings', [{ sensor: 's', ts: 1, value: 1 }]);
  const refused = await series(f, 'from=1969-12-31&to=1970-01-02');
  assert.equal(refused.status, 400);
  assert.match(refused.body.error ?? '', /^from='1969-12-31' must be .* from 1970-01-01T00:00:00Z on$/);
});
