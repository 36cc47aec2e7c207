import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import type { Reading } from '../../core/readings/reading.ts';
import { JetStreamIngestor } from './jetstream-ingestor.ts';
import { NatsBus } from './nats-bus.ts';
import { startNatsServer } from './server-process.ts';
import { ShardConsumer } from './shard-consumer.ts';
import type { ShardBatch } from './shard-consumer.ts';
import { ShardLeases } from './shard-leases.ts';
import { shardOf } from './shards.ts';
import { ObjectStorePieces, StreamPieces } from './snapshot-pieces.ts';
import { ShardSnapshotStore } from './snapshot-store.ts';
import { ensureReadingStream } from './stream.ts';
import { isInstalled } from '../installed.ts';

const skip = isInstalled('nats-server') ? false : 'nats-server is not installed (Debian package nats-server)';

async function until(condition: () => boolean, timeoutMillis: number): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test(
  'JetStream: acknowledged batches are stored once, consumed per shard, leases split shards, snapshots round-trip',
  { skip, timeout: 90_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-nats-'));
    const server = await startNatsServer(directory, { name: 'n1', clientPort: 24222 });
    const connection = await connect({ servers: '127.0.0.1:24222' });
    try {
      const layout = { stream: 'UB_TEST', prefix: 'ubtest', shards: 4 };
      const manager = await connection.jetstreamManager();
      const js = connection.jetstream();
      await ensureReadingStream(manager, layout, {
        replicas: 1,
        duplicateWindowMillis: 60_000,
        maxAgeMillis: 3_600_000,
        maxBytes: 1e8,
      });
      const ingestor = new JetStreamIngestor({
        js,
        layout,
        maxPendingReadings: 10_000,
        publishTimeoutMillis: 5_000,
      });
      const batch: Reading[] = Array.from({ length: 100 }, (_, index) => ({
        sensor: `s-${index % 10}`,
        ts: 1_000 + index,
        value: index,
      }));
      assert.deepEqual(await ingestor.ingest(batch), { ok: true, stored: 100 });
      const firstCount = (await manager.streams.info(layout.stream)).state.messages;
      assert.deepEqual(
        await ingestor.ingest(batch),
        { ok: true, stored: 100 },
        'a re-sent batch is acknowledged',
      );
      assert.equal((await manager.streams.info(layout.stream)).state.messages, firstCount, 'and stored once');

      const shard = shardOf('s-3', layout.shards);
      const seen: ShardBatch[] = [];
      const commits: number[] = [];
      const consumer = new ShardConsumer({
        js,
        manager,
        layout,
        shard,
        handle: async (received) => void seen.push(received),
        commit: async (sequence) => void commits.push(sequence),
        commitIntervalMillis: 0,
        fetchMessages: 100,
        retryMillis: 100,
      });
      await consumer.start(0);
      const expected = batch.filter((reading) => shardOf(reading.sensor, layout.shards) === shard);
      await until(() => consumer.handled >= expected.length, 10_000);
      await consumer.stop(true);
      // Published before this owner started: a dead owner could have stored them, so they are suspect.
      assert.deepEqual(
        seen.flatMap((received) => [...received.suspect, ...received.readings]),
        expected,
      );
      assert.equal(seen.flatMap((received) => received.readings).length, 0);
      const last = await manager.streams.getMessage(layout.stream, {
        last_by_subj: `ubtest.readings.${shard}`,
      });
      assert.equal(commits.at(-1), last.seq, 'the commit covers the last message handled');

      // The next owner resumes after the commit: nothing is handed over twice.
      const again: ShardBatch[] = [];
      const next = new ShardConsumer({
        js,
        manager,
        layout,
        shard,
        handle: async (received) => void again.push(received),
        commit: async () => undefined,
        commitIntervalMillis: 0,
        fetchMessages: 100,
        retryMillis: 100,
      });
      await next.start(last.seq);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await next.stop(false);
      assert.equal(next.handled, 0);

      const kv = await js.views.kv('ub_test_leases', { ttl: 3_000, history: 1 });
      const owners = new Map<number, string>();
      const members = ['a', 'b'].map(
        (member) =>
          new ShardLeases({
            kv,
            countMembers: async () => {
              const info = await manager.streams.info('KV_ub_test_leases', {
                subjects_filter: '$KV.ub_test_leases.member.>',
              });
              return Object.keys(info.state.subjects ?? {}).length;
            },
            member,
            shards: 4,
            leaseMillis: 3_000,
            acquire: async (owned) => {
              assert.equal(owners.get(owned), undefined, `shard ${owned} has one owner at a time`);
              owners.set(owned, member);
            },
            release: async (owned) => void owners.delete(owned),
            lost: async (owned) => void owners.delete(owned),
          }),
      );
      members[0]!.start();
      await until(() => members[0]!.owned().length === 4, 10_000);
      members[1]!.start();
      await until(() => members[0]!.owned().length === 2 && members[1]!.owned().length === 2, 15_000);
      for (const member of members) await member.stop();
      assert.equal(owners.size, 0);

      const objects = await js.views.os('ub_test_snapshots');
      const pieces = await StreamPieces.open({
        manager,
        js,
        objects,
        stream: 'ub_test_pieces',
        replicas: 1,
        maxInlineBytes: 600,
      });
      // The processor's detectors are the source of full snapshots; here the states themselves.
      const store = new ShardSnapshotStore(pieces, 1, { allStates: async () => states });
      const states = [
        { sensor: 's-1', state: Uint8Array.of(1, 2, 3), lastTs: 5_000, lastAlertAt: null },
        { sensor: 'é-2', state: new Uint8Array(0), lastTs: 6_000, lastAlertAt: 5_500 },
      ];
      await store.saveDetectorStates(states);
      await store.commit(42);
      const reloaded = new ShardSnapshotStore(pieces, 1, { allStates: async () => [] });
      assert.deepEqual(await reloaded.loadStates(), states);
      assert.equal(reloaded.committedSequence, 42);

      // Pieces: small ones are one message, large ones chunks and a manifest; a base replaces the
      // one before (and its chunks); folded deltas are purged with their chunks.
      const random = (bytes: number) =>
        Uint8Array.from({ length: bytes }, (_, index) => (index * 7919) % 251);
      const subjects = async (filter: string) =>
        (await manager.streams.info('ub_test_pieces', { subjects_filter: filter })).state.subjects ?? {};
      await pieces.putDelta(5, 1, Uint8Array.of(1, 1));
      await pieces.putDelta(5, 2, random(5_000));
      await pieces.putDelta(5, 3, Uint8Array.of(3));
      assert.deepEqual(await pieces.delta(5, 1), Uint8Array.of(1, 1));
      assert.deepEqual(await pieces.delta(5, 2), random(5_000));
      assert.equal(await pieces.delta(5, 4), null);
      assert.equal(
        Object.keys(await subjects('ub_test_pieces.5.delta.2.>')).length,
        9,
        '5,000 bytes in 9 chunks',
      );
      assert.equal(await objects.getBlob('shard-5.delta-2'), null, 'nothing went to the object store');
      await pieces.putBase(5, random(2_000));
      await pieces.putBase(5, random(1_500));
      assert.deepEqual(await pieces.base(5), random(1_500));
      assert.equal(
        Object.keys(await subjects('ub_test_pieces.5.base.>')).length,
        3,
        'only the last base’s chunks are kept',
      );
      await pieces.putBase(5, Uint8Array.of(10));
      assert.deepEqual(await pieces.base(5), Uint8Array.of(10));
      assert.deepEqual(await subjects('ub_test_pieces.5.base.>'), {}, 'an inline base leaves no chunks');
      assert.equal(
        (await subjects('ub_test_pieces.5.base'))['ub_test_pieces.5.base'],
        1,
        'one base message is kept',
      );
      await pieces.dropDeltas(5, 2);
      assert.equal(await pieces.delta(5, 1), null);
      assert.equal(await pieces.delta(5, 2), null);
      assert.deepEqual(await subjects('ub_test_pieces.5.delta.2.>'), {}, 'the folded chunks are gone');
      assert.deepEqual(await pieces.delta(5, 3), Uint8Array.of(3), 'a delta after the folded ones stays');
      // A delta an earlier version wrote to the object store is still read.
      await new ObjectStorePieces(objects).putDelta(6, 1, Uint8Array.of(6));
      assert.deepEqual(Uint8Array.from((await pieces.delta(6, 1)) ?? []), Uint8Array.of(6));

      const bus = new NatsBus({ connection, prefix: 'ubtest' });
      const events: unknown[] = [];
      bus.subscribe('events', (event) => void events.push(event));
      await connection.flush();
      await bus.publish('events', { type: 'alert', ts: 1, data: { n: 1 } });
      await until(() => events.length === 1, 5_000);
      assert.deepEqual(events[0], { type: 'alert', ts: 1, data: { n: 1 } });
      const batches: unknown[] = [];
      bus.subscribe('readings', (batch) => void batches.push(batch));
      await connection.flush();
      const live = [{ sensor: 'pump-1', ts: 7, value: 0.5 }];
      await bus.publish('readings', live);
      await until(() => batches.length === 1, 5_000);
      assert.deepEqual(batches[0], live, 'a live batch of readings arrives as sent');
      await bus.close();
    } finally {
      await connection.close();
      server.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    }
  },
);
