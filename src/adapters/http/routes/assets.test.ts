import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpFixture } from '../../../../test/support/http-fixture.ts';

function put(f: Awaited<ReturnType<typeof httpFixture>>, path: string, body: unknown) {
  return f.request('admin', path, {
    method: 'PUT',
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' },
  });
}

void test('PUT refuses a body whose id differs from the path instead of ignoring it', async () => {
  // Regression: PUT /assets/p1 {"id": "p9"} answered 200 and replaced p1, leaving no p9.
  const f = await httpFixture();
  await f.post('admin', '/api/v1/assets', { id: 'p1', type: 'pump' });
  const asset = await put(f, '/api/v1/assets/p1', { id: 'p9', type: 'valve' });
  assert.equal(asset.status, 400);
  assert.match(((await asset.json()) as { error: string }).error, /id "p9" in the body differs from 'p1'/);
  assert.equal(
    ((await (await f.request('viewer', '/api/v1/assets/p1')).json()) as { type: string }).type,
    'pump',
  );
  await f.post('admin', '/api/v1/sensors', { id: 's1', kind: 'flow' });
  assert.equal((await put(f, '/api/v1/sensors/s1', { id: 's2', kind: 'flow' })).status, 400);
  assert.equal((await put(f, '/api/v1/sensors/s1', { id: 's1', kind: 'level' })).status, 200);
});

void test('a misspelt field is refused by name, on POST and on PUT', async () => {
  const f = await httpFixture();
  const created = await f.post('admin', '/api/v1/assets', { id: 'p1', latitude: 52, longitude: 4 });
  assert.equal(created.status, 400);
  const body = (await created.json()) as { errors: { field: string; rule: string }[] };
  assert.deepEqual(
    body.errors.map((e) => [e.field, e.rule]),
    [
      ['latitude', 'unknown-field'],
      ['longitude', 'unknown-field'],
    ],
  );
  assert.equal((await f.request('viewer', '/api/v1/assets/p1')).status, 404);
  assert.equal((await put(f, '/api/v1/sensors/s1', { kind: 'flow', units: 'l/s' })).status, 400);
});

void test('an offset past the largest safe integer is a 400 naming the value, not a store error', async () => {
  // Regression: ?offset=99999999999999999999 reached DuckDB and answered 500 internal error.
  const f = await httpFixture();
  for (const path of ['/api/v1/assets', '/api/v1/sensors']) {
    const response = await f.request('viewer', `${path}?offset=99999999999999999999`);
    assert.equal(response.status, 400);
    assert.match(
      ((await response.json()) as { error: string }).error,
      /^offset must be a non-negative integer up to 9007199254740991, got '99999999999999999999'$/,
    );
  }
  assert.equal((await f.request('viewer', '/api/v1/assets?offset=9007199254740991')).status, 200);
});
