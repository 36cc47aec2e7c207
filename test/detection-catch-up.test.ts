import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import type { Alert } from '../src/core/maintenance/alert.ts';
import { startPlatform } from '../src/main.ts';
import { createEmbeddedStorage } from '../src/services/ingest/embedded.ts';
import {
  machineFailureFile as file,
  machineFailureLabel as failureLabel,
  nabMillis,
  readMachineFailure,
} from './support/nab-machine-failure.ts';

const adminKey = 'detection-catch-up-admin-key-0123456789';
const sensor = 'machine-1.temperature';

const readings = readMachineFailure(sensor);

test('readings stored and acknowledged but never scored before the server stopped are scored at its next start, and raise the alerts of a real machine failure', async (t) => {
  // Regression: after `kill -9` the readings the detectors had not scored yet were never scored,
  // so the alerts before this machine's failure were never raised.
  assert.ok(failureLabel, `${file} has a third labelled anomaly`);
  const failureAt = nabMillis(failureLabel);
  const dataDir = mkdtempSync(join(tmpdir(), 'detection-catch-up-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const loaded = loadConfig(['--port', '0', '--mqtt-port', '0', '--data-dir', dataDir], {
    URBAN_BRAIN_ADMIN_KEY: adminKey,
  });
  assert.ok(loaded.ok === true, 'configuration is valid');
  const half = Math.floor(readings.length / 2);
  assert.ok(readings[half]!.ts < failureAt - 7 * 86_400_000, 'the failure week is in the second half');

  // First life: half the series through the API, scored; a clean stop saves the detector states.
  const first = await startPlatform(loaded.config, () => undefined);
  for (let start = 0; start < half; start += 1000) {
    const response = await fetch(`http://127.0.0.1:${first.httpPort}/api/v1/readings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(readings.slice(start, Math.min(half, start + 1000))),
    });
    assert.equal(response.status, 200, await response.text());
  }
  await first.stop();

  // The rest is stored and acknowledged (write-ahead log, then the DuckDB file) and never scored:
  // what a crash leaves of the readings still waiting for the detectors.
  const storage = await createEmbeddedStorage({ dataDir, log: () => undefined });
  for (let start = half; start < readings.length; start += 1000) {
    const result = await storage.ingestor.ingest(readings.slice(start, start + 1000));
    assert.ok(result.ok, JSON.stringify(result));
  }
  await storage.shutdown();

  const lines: string[] = [];
  const second = await startPlatform(loaded.config, (line) => void lines.push(line));
  try {
    const response = await fetch(`http://127.0.0.1:${second.httpPort}/api/v1/alerts?limit=1000`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    const { alerts } = (await response.json()) as { alerts: Alert[] };
    const week = alerts.filter((alert) => alert.ts >= failureAt - 7 * 86_400_000 && alert.ts < failureAt);
    assert.ok(week.length > 0, `an alert in the week before the failure (alerts: ${alerts.length})`);
    const caughtUp = lines.find((line) => line.includes('caught up'));
    assert.match(
      caughtUp ?? lines.join('\n'),
      new RegExp(`caught up with ${readings.length - half} stored readings of 1 sensors .* in \\d+\\.\\d s$`),
    );
  } finally {
    await second.stop();
  }
});
