import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metrics } from './metrics.ts';

test('the detection gauges read the service when scraped', async () => {
  const metrics = new Metrics();
  let backlog = 1_200;
  metrics.watchDetection({
    backlogReadings: () => backlog,
    status: () => ({ sensors: 42, restarts: 1, pendingAlerts: 3 }),
  });
  let text = await metrics.registry.metrics();
  assert.match(text, /urban_brain_detection_backlog_readings 1200/);
  assert.match(text, /urban_brain_detection_sensors 42/);
  assert.match(text, /urban_brain_detection_restarts 1/);
  assert.match(text, /urban_brain_detection_pending_alerts 3/);
  backlog = 0;
  text = await metrics.registry.metrics();
  assert.match(text, /urban_brain_detection_backlog_readings 0/);
});
