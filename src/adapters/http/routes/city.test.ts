import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Hono } from 'hono';
import type { Role } from '../../../core/auth/role.ts';
import { generateCity } from '../../../services/demo/city.ts';
import { cityMap, type CityViews } from '../../../services/demo/views.ts';
import { serveDashboard } from '../dashboard.ts';
import type { AppEnv } from '../env.ts';
import { cityRoutes } from './city.ts';
import { meRoutes } from './me.ts';

function appAs(role: Role, views: CityViews | null): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('key', { id: 'k1', name: 'tester', role, hash: '', createdMillis: 0, revokedMillis: null });
    await next();
  });
  app.route('/api/v1', meRoutes());
  app.route(
    '/api/v1',
    cityRoutes(() => views),
  );
  return app;
}

const city = generateCity({ sensorCount: 300, seed: 1 });
const views: CityViews = { map: () => cityMap(city), traffic: () => null };

test('the map is GeoJSON of the roads and river, for any reading role', async () => {
  const response = await appAs('viewer', views).request('/api/v1/map');
  assert.equal(response.status, 200);
  const body = (await response.json()) as ReturnType<typeof cityMap>;
  assert.equal(body.roads.type, 'FeatureCollection');
  assert.equal(body.roads.features.length, city.roads.length + 1);
  assert.ok(body.roads.features.every((feature) => feature.geometry.type === 'LineString'));
  assert.equal((await appAs('device', views).request('/api/v1/map')).status, 403);
});

test('the city views answer 404 while no city model runs, and when a view has no data yet', async () => {
  assert.equal((await appAs('viewer', null).request('/api/v1/map')).status, 404);
  assert.equal((await appAs('viewer', views).request('/api/v1/traffic')).status, 404);
});

test('me tells the caller its role', async () => {
  const body = (await (await appAs('operator', null).request('/api/v1/me')).json()) as {
    role: string;
    name: string;
  };
  assert.deepEqual(body, { id: 'k1', name: 'tester', role: 'operator' });
});

test('the dashboard is served without a key, assets with their type and a long cache', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'dashboard-'));
  await mkdir(join(directory, 'assets'));
  await writeFile(join(directory, 'index.html'), '<!doctype html><form id="login"></form>');
  await writeFile(join(directory, 'assets', 'index-abc.js'), 'console.log(1)');
  const app = new Hono<AppEnv>();
  serveDashboard(app, directory);
  app.use('*', async (c) => c.json({ error: 'no key' }, 401));
  const page = await app.request('/');
  assert.equal(page.status, 200);
  assert.match(await page.text(), /id="login"/);
  const script = await app.request('/assets/index-abc.js');
  assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.match(script.headers.get('cache-control') ?? '', /immutable/);
  assert.equal((await app.request('/assets/missing.js')).status, 404);
  assert.equal((await app.request('/api/v1/sensors')).status, 401);
});
