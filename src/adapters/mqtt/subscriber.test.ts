import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connectAsync } from 'mqtt';
import { freePort } from '../free-port.ts';
import { MemoryBus } from '../memory/bus.ts';
import { MemoryReadings } from '../memory/readings.ts';
import { MemoryRegistry } from '../memory/registry.ts';
import { coreParsers } from '../../services/edge/core-parsers.ts';
import { EdgeIngest } from '../../services/edge/edge-ingest.ts';
import { Coalescer } from './coalescer.ts';
import { startSubscriber } from './subscriber.ts';

const mosquittoPath = '/usr/sbin/mosquitto';

async function waitFor(condition: () => boolean, timeoutMillis = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

void test('connection errors are logged with the broker URL but without its password', async (t) => {
  if (!existsSync(mosquittoPath)) {
    t.skip(`${mosquittoPath} is not installed (apt-get install mosquitto)`);
    return;
  }
  const folder = mkdtempSync(join(tmpdir(), 'urban-brain-subscriber-'));
  const port = await freePort();
  const config = join(folder, 'mosquitto.conf');
  writeFileSync(config, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  const mosquitto = spawn(mosquittoPath, ['-c', config], { stdio: 'ignore' });
  const url = `mqtt://ubuser:S3cretBrokerPass@127.0.0.1:${port}`;
  const lines: string[] = [];
  let subscriber: { close(): Promise<void> } | undefined;
  try {
    for (const deadline = Date.now() + 5_000; ;) {
      try {
        await (await connectAsync(url, { reconnectPeriod: 0 })).endAsync();
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
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
    // The broker goes away: every reconnection attempt fails and is logged.
    mosquitto.kill('SIGKILL');
    await waitFor(() => lines.length > 0);
    assert.match(lines[0]!, new RegExp(`^mqtt mqtt://ubuser:\\*\\*\\*@127\\.0\\.0\\.1:${port}: `));
    for (const line of lines) assert.ok(!line.includes('S3cretBrokerPass'), line);
  } finally {
    mosquitto.kill('SIGKILL');
    await subscriber?.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
