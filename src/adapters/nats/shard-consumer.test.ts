import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { encodeReadings } from './reading-codec.ts';
import { startNatsServer } from './server-process.ts';
import { ShardConsumer } from './shard-consumer.ts';
import { readingSubject } from './shards.ts';
import { ensureReadingStream } from './stream.ts';
import { isInstalled } from '../installed.ts';

const skip = isInstalled('nats-server') ? false : 'nats-server is not installed (Debian package nats-server)';

test(
  "a shard's last message delivered but never received is fetched again within seconds, not after the 60 s acknowledgement wait",
  { skip, timeout: 60_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-nats-tail-'));
    const server = await startNatsServer(directory, { name: 'n1', clientPort: 24232 });
    const connection = await connect({ servers: '127.0.0.1:24232' });
    let consumer: ShardConsumer | undefined;
    try {
      const layout = { stream: 'UB_TAIL', prefix: 'ubtail', shards: 1 };
      const manager = await connection.jetstreamManager();
      const js = connection.jetstream();
      await ensureReadingStream(manager, layout);
      const first = { sensor: 'a', ts: 1, value: 1 };
      const last = { sensor: 'a', ts: 2, value: 2 };
      await js.publish(readingSubject(layout, 0), encodeReadings([first]));
      const received: number[] = [];
      // The first batch is held until the last message is taken: no pull of ours is waiting then.
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      let handing: () => void = () => undefined;
      const handed = new Promise<void>((resolve) => (handing = resolve));
      consumer = new ShardConsumer({
        js,
        manager,
        layout,
        shard: 0,
        handle: async (batch) => {
          if (received.length === 0) {
            handing();
            await held;
          }
          for (const reading of [...batch.suspect, ...batch.readings]) received.push(reading.ts);
        },
        commit: async () => undefined,
        commitIntervalMillis: 60_000,
        fetchMessages: 10,
        retryMillis: 100,
        tailCheckMillis: 500,
      });
      await consumer.start(0);
      await handed;
      // Take the shard's last message off its consumer as a fetch cut short would: delivered, never
      // handed to the processor, not acknowledged.
      const [info] = await manager.consumers.list(layout.stream).next();
      const stolen = await js.consumers.get(layout.stream, info!.name);
      await js.publish(readingSubject(layout, 0), encodeReadings([last]));
      const message = await stolen.next({ expires: 5_000 });
      assert.ok(message !== null, 'the last message was taken off the consumer');
      release();
      const started = Date.now();
      while (!received.includes(2) && Date.now() - started < 20_000)
        await new Promise((r) => setTimeout(r, 50));
      assert.ok(received.includes(2), 'the lost message was handled');
      assert.ok(Date.now() - started < 10_000, `handled after ${Date.now() - started} ms`);
    } finally {
      await consumer?.stop(false);
      await connection.close();
      server.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    }
  },
);
