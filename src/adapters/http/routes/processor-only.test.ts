import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { findDetector } from '../../../core/anomaly/registry.ts';
import { KeyService } from '../../../services/auth/keys.ts';
import { DetectionService } from '../../../services/detection/detection-service.ts';
import { nodeSecrets } from '../../crypto/secrets.ts';
import { MemoryBus } from '../../memory/bus.ts';
import { MemoryKeyStore } from '../../memory/keys.ts';
import { MemoryMaintenanceRepository } from '../../memory/maintenance-repository.ts';
import { MemoryRegistry } from '../../memory/registry.ts';
import type { AppEnv } from '../env.ts';
import { authenticate } from '../middleware/auth.ts';
import { maintenanceRoutes } from './maintenance.ts';
import { processorOnlyRoutes } from './processor-only.ts';

test('mounted before the maintenance routes, scores and detection status answer 501, not 404 or an empty status', async () => {
  // Regression: the api role answered 404 for every sensor's scores and `sensors: 0` for /detection.
  const keys = new KeyService(new MemoryKeyStore(), nodeSecrets);
  const viewer = (await keys.create('viewer-key', 'viewer')).secret;
  const repository = new MemoryMaintenanceRepository();
  const detector = findDetector('surprise');
  assert.ok(detector);
  const detection = new DetectionService({
    bus: new MemoryBus(),
    repository,
    states: repository,
    registry: new MemoryRegistry(),
    detector,
    snapshotIntervalMillis: 0,
  });
  const app = new Hono<AppEnv>();
  app.use('*', authenticate(keys));
  app.route('/api/v1', processorOnlyRoutes());
  app.route('/api/v1', maintenanceRoutes({ repository, detection }));
  const get = (path: string, secret = viewer) =>
    app.request(path, { headers: { authorization: `Bearer ${secret}` } });

  for (const path of ['/api/v1/detection', '/api/v1/sensors/p9.x/scores']) {
    const response = await get(path);
    assert.equal(response.status, 501, path);
    const body = (await response.json()) as { error: string };
    assert.match(body.error, /processing processes \(--role process\)/);
  }
  assert.equal((await get('/api/v1/detection', 'not-a-key')).status, 401, 'still behind authentication');
  const alerts = await get('/api/v1/alerts');
  assert.equal(alerts.status, 200, 'the other maintenance routes are untouched');
});
