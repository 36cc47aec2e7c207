import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort } from '../free-port.ts';
import { MemoryBus } from '../memory/bus.ts';
import { MemoryReadings } from '../memory/readings.ts';
import { MemoryRegistry } from '../memory/registry.ts';
import { coreParsers } from '../../services/edge/core-parsers.ts';
import { EdgeIngest } from '../../services/edge/edge-ingest.ts';
import { Coalescer } from './coalescer.ts';
import { mosquittoMissing, startMosquitto } from './mosquitto.test-helpers.ts';
import { startSubscriber } from './subscriber.ts';

async function waitFor(condition: () => boolean, timeoutMillis = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

void test('a lost broker is logged once, with its URL but without its password, while reconnecting', async (t) => {
  const missing = mosquittoMissing();
  if (missing !== undefined) {
    t.skip(missing);
    return;
  }
  const folder = mkdtempSync(join(tmpdir(), 'urban-brain-subscriber-'));
  const { port, process: mosquitto } = await startMosquitto(folder);
  const url = `mqtt://ubuser:S3cretBrokerPass@127.0.0.1:${port}`;
  const lines: string[] = [];
  let subscriber: { close(): Promise<void> } | undefined;
  try {
    const edge = new EdgeIngest({
      ingestor: new MemoryReadings(),
      registry: new MemoryRegistry(),
      bus: new MemoryBus(),
      policy: 'auto-register',
    });
    subscriber = await startSubscriber({
      url,
      coalescer: new Coalescer({ edge }),
      parsers: coreParsers(),
      log: (line) => lines.push(line),
      connections: 1,
    });
    // The broker goes away: the reconnection attempts (one a second) fail, and only the first is logged.
    mosquitto.kill('SIGKILL');
    await waitFor(() => lines.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(
      lines[0]!,
      new RegExp(`MQTT broker mqtt://ubuser:\\*\\*\\*@127\\.0\\.0\\.1:${port} failed: `),
    );
    for (const line of lines) assert.ok(!line.includes('S3cretBrokerPass'), line);
  } finally {
    mosquitto.kill('SIGKILL');
    await subscriber?.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

void test('a start that cannot reach the broker fails with one line naming it, without its password', async () => {
  const port = await freePort();
  const edge = new EdgeIngest({
    ingestor: new MemoryReadings(),
    registry: new MemoryRegistry(),
    bus: new MemoryBus(),
    policy: 'auto-register',
  });
  await assert.rejects(
    startSubscriber({
      url: `mqtt://ubuser:S3cretBrokerPass@127.0.0.1:${port}`,
      coalescer: new Coalescer({ edge }),
      parsers: coreParsers(),
      log: () => undefined,
      connections: 1,
    }),
    (error: Error) => {
      assert.match(
        error.message,
        new RegExp(`^MQTT broker mqtt://ubuser:\\*\\*\\*@127\\.0\\.0\\.1:${port}: `),
      );
      return true;
    },
  );
});
