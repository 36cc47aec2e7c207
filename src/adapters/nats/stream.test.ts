import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { isInstalled } from '../installed.ts';
import { startNatsServer } from './server-process.ts';
import { readingSubject } from './shards.ts';
import { ensureReadingStream, recordedShards } from './stream.ts';

const skip = isInstalled('nats-server') ? false : 'nats-server is not installed (Debian package nats-server)';

test(
  'the readings stream records its shard count; a process with other --shards or --replicas is refused (its readings went to shards no processor reads)',
  { skip, timeout: 60_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-nats-stream-'));
    const server = await startNatsServer(directory, { name: 'n1', clientPort: 24242 });
    const connection = await connect({ servers: '127.0.0.1:24242' });
    try {
      const manager = await connection.jetstreamManager();
      const layout = { stream: 'UB_COUNT', prefix: 'ubcount', shards: 16 };
      assert.deepEqual(await ensureReadingStream(manager, layout), { ok: true });
      const info = await manager.streams.info('UB_COUNT');
      assert.equal(recordedShards(info.config.description), 16);
      assert.deepEqual(await ensureReadingStream(manager, layout), { ok: true }, 'the same count starts');

      const wider = await ensureReadingStream(manager, { ...layout, shards: 32 });
      assert.deepEqual(wider, {
        ok: false,
        message:
          'the readings stream UB_COUNT was created with 16 shards but this process was started with --shards 32: start every process of the cluster with --shards 16 (the count is fixed for the life of the stream)',
      });
      const narrower = await ensureReadingStream(manager, { ...layout, shards: 4 });
      assert.equal(narrower.ok, false);
      const replicas = await ensureReadingStream(manager, layout, {
        replicas: 3,
        duplicateWindowMillis: 120_000,
        maxAgeMillis: 3_600_000,
        maxBytes: 1e8,
      });
      assert.deepEqual(replicas, {
        ok: false,
        message:
          'the readings stream UB_COUNT has 1 replicas but this process was started with --replicas 3: start every process of the cluster with --replicas 1',
      });
      assert.equal(recordedShards((await manager.streams.info('UB_COUNT')).config.description), 16);
    } finally {
      await connection.close();
      server.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    }
  },
);

test(
  'a stream of an earlier version (no recorded count) takes the first count that fits the readings it holds',
  { skip, timeout: 60_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-nats-legacy-'));
    const server = await startNatsServer(directory, { name: 'n1', clientPort: 24243 });
    const connection = await connect({ servers: '127.0.0.1:24243' });
    try {
      const manager = await connection.jetstreamManager();
      const layout = { stream: 'UB_OLD', prefix: 'ubold', shards: 8 };
      // As earlier versions created it: no description.
      await manager.streams.add({ name: 'UB_OLD', subjects: ['ubold.readings.*'] });
      const js = connection.jetstream();
      for (const shard of [0, 3, 5]) await js.publish(readingSubject(layout, shard), Uint8Array.of(1));

      const narrow = await ensureReadingStream(manager, { ...layout, shards: 4 });
      assert.deepEqual(narrow, {
        ok: false,
        message:
          'the readings stream UB_OLD holds readings of shard 5 but this process was started with --shards 4: start every process of the cluster with the --shards the stream was created with (more than 5)',
      });
      assert.equal((await manager.streams.info('UB_OLD')).config.description, undefined, 'nothing recorded');
      assert.deepEqual(await ensureReadingStream(manager, layout), { ok: true, adopted: 8 });
      assert.equal(recordedShards((await manager.streams.info('UB_OLD')).config.description), 8);
      assert.equal((await manager.streams.info('UB_OLD')).state.messages, 3, 'its readings are kept');
      assert.deepEqual(await ensureReadingStream(manager, layout), { ok: true });
      assert.equal((await ensureReadingStream(manager, { ...layout, shards: 16 })).ok, false);
    } finally {
      await connection.close();
      server.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    }
  },
);
