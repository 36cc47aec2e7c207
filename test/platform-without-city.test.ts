import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { startPlatform } from '../src/main.ts';

const adminKey = 'platform-without-city-admin-key-0123456789';

test('without the demo city the map, traffic and emergency-vehicle routes say that none runs (404), not "no route"', async (t) => {
  // Regression: they were not mounted, so the dashboard's Traffic tab showed "no route GET /api/v1/traffic".
  const loaded = loadConfig(['--port', '0', '--mqtt-port', '0', '--memory'], {
    URBAN_BRAIN_ADMIN_KEY: adminKey,
  });
  assert.ok(loaded.ok === true, 'configuration is valid');
  const platform = await startPlatform(loaded.config, () => undefined);
  t.after(() => platform.stop());
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${platform.httpPort}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, error: ((await response.json()) as { error: string }).error };
  };
  for (const path of ['/api/v1/map', '/api/v1/traffic']) {
    const answer = await call('GET', path);
    assert.equal(answer.status, 404, path);
    assert.match(answer.error, /^no city model is running: the demo city brings one/, path);
  }
  const sent = await call('POST', '/api/v1/traffic/emergency-vehicles', { from: 'a', to: 'b' });
  assert.equal(sent.status, 404);
  assert.match(sent.error, /^no live traffic district is running/);
});
