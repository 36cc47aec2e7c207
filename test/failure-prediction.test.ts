import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import type { Alert } from '../src/core/maintenance/alert.ts';
import type { WorkOrder } from '../src/core/maintenance/work-order.ts';
import { startPlatform } from '../src/main.ts';
import {
  machineFailureFile as file,
  machineFailureLabel as failureLabel,
  nabMillis,
  readMachineFailure,
} from './support/nab-machine-failure.ts';

const adminKey = 'failure-prediction-admin-key-0123456789';
const batchSize = 1000;

test('replaying a real machine failure through the ingest API raises an alert and a work order before the failure', async (t) => {
  assert.ok(failureLabel, `${file} has a third labelled anomaly`);
  const failureAt = nabMillis(failureLabel);
  const dataDir = mkdtempSync(join(tmpdir(), 'failure-prediction-'));
  const loaded = loadConfig(['--port', '0', '--mqtt-port', '0', '--data-dir', dataDir], {
    URBAN_BRAIN_ADMIN_KEY: adminKey,
  });
  assert.ok(loaded.ok === true, 'configuration is valid');
  let platform = await startPlatform(loaded.config, () => undefined);
  t.after(async () => {
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  async function call(method: string, path: string, body?: unknown, key = adminKey): Promise<Response> {
    return fetch(`http://127.0.0.1:${platform.httpPort}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }
  const probe = await call('GET', '/api/v1/detection');
  assert.equal(probe.status, 200, 'failure prediction runs in the platform');

  const asset = { id: 'machine-1', type: 'pump', name: 'Industrial machine', lat: null, lon: null, tags: {} };
  assert.equal((await call('POST', '/api/v1/assets', asset)).status, 201);
  const sensor = { id: 'machine-1.temperature', kind: 'temperature', unit: 'degF', asset: 'machine-1' };
  assert.equal((await call('POST', '/api/v1/sensors', sensor)).status, 201);

  const readings = readMachineFailure(sensor.id);
  async function replay(from: number, to: number): Promise<void> {
    for (let start = from; start < to; start += batchSize) {
      const response = await call(
        'POST',
        '/api/v1/readings',
        readings.slice(start, Math.min(to, start + batchSize)),
      );
      assert.ok(response.ok, `batch at row ${start} accepted (HTTP ${response.status})`);
    }
  }
  // Half the series, a restart on the same data folder, then the rest: the detector resumes from
  // its saved state instead of learning again from zero.
  const half = Math.floor(readings.length / 2);
  await replay(0, half);
  await platform.stop();
  platform = await startPlatform(loaded.config, () => undefined);
  const resumed = (await (await call('GET', '/api/v1/detection')).json()) as { sensors: number };
  assert.equal(resumed.sensors, 1, 'the detector state of the sensor was restored at start');
  await replay(half, readings.length);

  // Detection runs behind the bus and alerts are written in the background: wait until the last
  // reading was scored and no alert is pending.
  const lastTs = readings.at(-1)?.ts ?? 0;
  const waitStart = performance.now();
  for (let attempt = 0; ; attempt += 1) {
    const scores = await call('GET', `/api/v1/sensors/${sensor.id}/scores?from=${lastTs}`);
    const scored = scores.ok && ((await scores.json()) as { points: unknown[] }).points.length > 0;
    const status = (await (await call('GET', '/api/v1/detection')).json()) as { pendingAlerts: number };
    if (scored && status.pendingAlerts === 0) break;
    assert.ok(
      attempt < 400,
      `the replay was scored and its alerts handled within 20 s (${JSON.stringify(status)})`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.diagnostic(
    `detection settled ${Math.round(performance.now() - waitStart)} ms after the last batch was acknowledged`,
  );

  const { alerts } = (await (await call('GET', '/api/v1/alerts?asset=machine-1&limit=1000')).json()) as {
    alerts: Alert[];
  };
  const early = alerts.filter((alert) => alert.ts < failureAt).sort((a, b) => a.ts - b.ts);
  assert.ok(early.length > 0, `an alert before the failure labelled at ${failureLabel}`);
  const week = 7 * 86_400_000;
  assert.ok(
    early.some((alert) => alert.ts >= failureAt - week),
    `an alert in the week before the failure (alerts at ${early.map((a) => new Date(a.ts).toISOString()).join(', ')})`,
  );
  for (const alert of early) {
    assert.equal(alert.sensor, sensor.id);
    assert.ok(
      alert.evidence.length > 0 && alert.evidence.at(-1)?.ts === alert.ts,
      'evidence ends at the crossing',
    );
  }

  const { workOrders } = (await (await call('GET', '/api/v1/work-orders?asset=machine-1')).json()) as {
    workOrders: WorkOrder[];
  };
  const covering = workOrders.find(
    (order) => order.firstWarningAt < failureAt && order.lastAlertAt >= early.at(-1)!.ts,
  );
  assert.ok(covering, 'a work order was open for the machine before the failure');
  assert.equal(covering.status, 'open');
  assert.ok(
    early.every((alert) => covering.alertIds.includes(alert.id)),
    'the alerts before the failure were deduplicated into that one order',
  );
  assert.equal(workOrders.filter((order) => order.status === 'open').length, 1, 'one active order per asset');
  const leadDays = (failureAt - covering.firstWarningAt) / 86_400_000;
  t.diagnostic(
    `first warning ${new Date(covering.firstWarningAt).toISOString()}, ${leadDays.toFixed(1)} days before the failure`,
  );
  t.diagnostic(`${early.length} alerts before the failure, ${alerts.length} in the whole replay`);

  // The operator closes the loop: acknowledge, then resolve with the failure time; a viewer may not.
  const operator = (await (
    await call('POST', '/api/v1/keys', { name: 'shift-lead', role: 'operator' })
  ).json()) as {
    key: string;
  };
  const viewer = (await (
    await call('POST', '/api/v1/keys', { name: 'wall-screen', role: 'viewer' })
  ).json()) as {
    key: string;
  };
  const path = `/api/v1/work-orders/${covering.id}`;
  assert.equal((await call('POST', `${path}/acknowledge`, {}, viewer.key)).status, 403);
  assert.equal((await call('POST', `${path}/acknowledge`, { note: 'crew sent' }, operator.key)).status, 200);
  const resolved = await call('POST', `${path}/resolve`, { note: 'bearing failed', failureAt }, operator.key);
  assert.equal(resolved.status, 200);
  const closed = (await resolved.json()) as WorkOrder;
  assert.equal(closed.status, 'resolved');
  assert.equal(closed.leadTimeMillis, failureAt - covering.firstWarningAt);
  assert.deepEqual(
    closed.verdicts.map((verdict) => [verdict.action, verdict.note]),
    [
      ['acknowledge', 'crew sent'],
      ['resolve', 'bearing failed'],
    ],
  );

  // The fault comes back: the order is reopened and given to a crew, and both survive a restart.
  const reopened = await call('POST', `${path}/reopen`, { note: 'running hot again' }, operator.key);
  assert.equal(reopened.status, 200);
  assert.equal(((await reopened.json()) as WorkOrder).status, 'open');
  const assigned = await call('POST', `${path}/assign`, { assignee: 'crew 4' }, operator.key);
  assert.equal(assigned.status, 200);
  await platform.stop();
  platform = await startPlatform(loaded.config, () => undefined);
  const kept = (await (await call('GET', path)).json()) as WorkOrder;
  assert.deepEqual(
    [kept.status, kept.assignee, kept.closedAt, kept.leadTimeMillis],
    ['open', 'crew 4', null, null],
  );
  assert.deepEqual(
    kept.verdicts.map((verdict) => verdict.action),
    ['acknowledge', 'resolve', 'reopen', 'assign'],
  );
  const { workOrders: crews } = (await (
    await call('GET', '/api/v1/work-orders?assignee=crew%204')
  ).json()) as { workOrders: WorkOrder[] };
  assert.deepEqual(
    crews.map((order) => order.id),
    [covering.id],
  );

  // Started again without a detector: nothing is scored, which is said; what is stored stays
  // readable and the open order can still be closed (bug: every one of these routes was a 404).
  await platform.stop();
  const none = loadConfig(['--port', '0', '--mqtt-port', '0', '--data-dir', dataDir, '--detector', 'none'], {
    URBAN_BRAIN_ADMIN_KEY: adminKey,
  });
  assert.ok(none.ok === true);
  platform = await startPlatform(none.config, () => undefined);
  const detection = await call('GET', '/api/v1/detection');
  assert.equal(detection.status, 501);
  assert.match(((await detection.json()) as { error: string }).error, /--detector none/);
  assert.equal((await call('GET', `/api/v1/sensors/${sensor.id}/scores`)).status, 501);
  assert.equal(((await (await call('GET', path)).json()) as WorkOrder).assignee, 'crew 4');
  const listed = (await (await call('GET', '/api/v1/alerts?asset=machine-1&limit=1000')).json()) as {
    alerts: Alert[];
  };
  assert.equal(listed.alerts.length, alerts.length);
  const fixed = await call('POST', `${path}/resolve`, { note: 'replaced' }, operator.key);
  assert.equal(fixed.status, 200);
  assert.equal(((await fixed.json()) as WorkOrder).status, 'resolved');
});
