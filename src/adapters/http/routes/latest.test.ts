import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpFixture } from '../../../../test/support/http-fixture.ts';

const t0 = Date.UTC(2025, 11, 31);

async function error(response: Response): Promise<[number, string]> {
  return [response.status, ((await response.json()) as { error: string }).error];
}

void test('a refused latest body names the item at fault; bug: one message for every fault', async () => {
  const f = await httpFixture();
  assert.deepEqual(await error(await f.post('viewer', '/api/v1/latest', { sensors: ['a', 7] })), [
    400,
    'sensors[1] is 7; each id must be a string',
  ]);
  const many = Array.from({ length: 100_001 }, (_, i) => `s${i}`);
  assert.deepEqual(await error(await f.post('viewer', '/api/v1/latest', { sensors: many })), [
    400,
    'sensors has 100001 ids; at most 100000',
  ]);
  const [status, message] = await error(await f.post('viewer', '/api/v1/latest', { sensors: 'a,b' }));
  assert.equal(status, 400);
  assert.match(message, /^body must be \{"sensors": \[string, \.\.\.\]\} .*; sensors is "a,b"$/);
});

void test('latest of 100,000 ids with duplicates answers each sensor once', async () => {
  const f = await httpFixture();
  await f.post('device', '/api/v1/readings', [
    { sensor: 'a', ts: t0, value: 1 },
    { sensor: 'a', ts: t0 + 5, value: 2 },
  ]);
  const ids = Array.from({ length: 100_000 }, (_, i) => (i % 10 === 0 ? 'a' : `n${i}`));
  const response = await f.post('viewer', '/api/v1/latest', { sensors: ids });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { latest: { a: { ts: t0 + 5, value: 2 } } });
});

void test('GET latest takes sensors given more than once; bug: only the first was read', async () => {
  const f = await httpFixture();
  await f.post('device', '/api/v1/readings', [
    { sensor: 'a', ts: t0, value: 1 },
    { sensor: 'b', ts: t0, value: 2 },
    { sensor: 'c', ts: t0, value: 3 },
  ]);
  const response = await f.request('viewer', '/api/v1/latest?sensors=a&sensors=b,c');
  assert.deepEqual(await response.json(), {
    latest: { a: { ts: t0, value: 1 }, b: { ts: t0, value: 2 }, c: { ts: t0, value: 3 } },
  });
});

void test('a misspelt latest parameter or field is named; bug: "sensors is required" without naming it', async () => {
  const f = await httpFixture();
  assert.deepEqual(await error(await f.request('viewer', '/api/v1/latest?sensor=a')), [
    400,
    "unknown parameter 'sensor': it takes sensors",
  ]);
  assert.deepEqual(await error(await f.request('viewer', '/api/v1/latest?sensors=a&x=1')), [
    400,
    "unknown parameter 'x': it takes sensors",
  ]);
  const [status, message] = await error(await f.post('viewer', '/api/v1/latest', { sensor: ['a'] }));
  assert.equal(status, 400);
  assert.match(message, /; 'sensor' is not a field \(did you mean 'sensors'\?\)$/);
});

void test('a parameter given twice is refused unless it may repeat; bug: the first value was used silently', async () => {
  const f = await httpFixture();
  for (const path of [
    '/api/v1/sensors?limit=1&limit=5000',
    '/api/v1/assets?type=pump&type=valve',
    '/api/v1/sensors/a/readings?from=0&from=5',
  ]) {
    const [status, message] = await error(await f.request('viewer', path));
    assert.equal(status, 400, path);
    assert.match(message, /^parameter '(limit|type|from)' is given 2 times: give it once$/, path);
  }
  // Tag filters repeat on purpose: every one must hold.
  assert.equal((await f.request('viewer', '/api/v1/sensors?tag=zone=a&tag=line=1')).status, 200);
});
