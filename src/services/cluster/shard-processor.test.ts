import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { isInstalled } from '../../adapters/installed.ts';
import { MemoryBus } from '../../adapters/memory/bus.ts';
import { MemoryMaintenanceRepository } from '../../adapters/memory/maintenance-repository.ts';
import { MemoryRegistry } from '../../adapters/memory/registry.ts';
import { encodeReadings } from '../../adapters/nats/reading-codec.ts';
import { startNatsServer } from '../../adapters/nats/server-process.ts';
import { readingSubject } from '../../adapters/nats/shards.ts';
import { StreamPieces } from '../../adapters/nats/snapshot-pieces.ts';
import { ShardSnapshotStore } from '../../adapters/nats/snapshot-store.ts';
import { ensureReadingStream } from '../../adapters/nats/stream.ts';
import type { Reading } from '../../core/readings/reading.ts';
import { stepDetector } from '../detection/step-detector.test-helpers.ts';
import { ShardProcessor, type ShardProcessorOptions } from './shard-processor.ts';

const skip = isInstalled('nats-server') ? false : 'nats-server is not installed (Debian package nats-server)';

/** PostgreSQL refusing connections while `down`. */
class FlakyRepository extends MemoryMaintenanceRepository {
  down = true;
  override async recordAlert(
    ...args: Parameters<MemoryMaintenanceRepository['recordAlert']>
  ): ReturnType<MemoryMaintenanceRepository['recordAlert']> {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    return super.recordAlert(...args);
  }
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`not within 15 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test(
  'a shard does not acknowledge readings whose alert PostgreSQL could not take, and records it once PostgreSQL is back (it was lost)',
  { skip, timeout: 90_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-shard-alert-'));
    const server = await startNatsServer(directory, { name: 'n1', clientPort: 24252 });
    const connection = await connect({ servers: '127.0.0.1:24252' });
    let processor: ShardProcessor | undefined;
    try {
      const layout = { stream: 'UB_ALERTS', prefix: 'ubalerts', shards: 1 };
      const manager = await connection.jetstreamManager();
      const js = connection.jetstream();
      assert.equal((await ensureReadingStream(manager, layout)).ok, true);
      const objects = await js.views.os('ub_alerts_snapshots');
      const snapshots = await StreamPieces.open({
        manager,
        js,
        objects,
        stream: 'ub_alerts_pieces',
        replicas: 1,
        maxInlineBytes: 100_000,
      });
      const stored: Reading[] = [];
      const repository = new FlakyRepository();
      const errors: string[] = [];
      processor = new ShardProcessor(0, {
        js,
        manager,
        layout,
        snapshots,
        sink: {
          insert: async (readings) => void stored.push(...readings),
          check: async (readings) => ({
            missing: readings.filter((reading) => !stored.includes(reading)),
            newest: new Map(),
          }),
        },
        bus: new MemoryBus(),
        repository,
        registry: new MemoryRegistry(),
        detector: stepDetector,
        learningSpanMillis: 0,
        commitIntervalMillis: 200,
        onError: (error) => errors.push(String(error)),
      });
      await processor.start();
      // 750 readings to learn from (the default), then a spike, in one message.
      const quiet = Array.from({ length: 800 }, (_, index) => ({
        sensor: 'pump-1',
        ts: index + 1,
        value: 1,
      }));
      const spike = { sensor: 'pump-1', ts: 1_000, value: 500 };
      await js.publish(readingSubject(layout, 0), encodeReadings([...quiet, spike]));
      // What a new owner would resume from: the last commit's stream sequence.
      const committed = async () => {
        const store = new ShardSnapshotStore(snapshots, 0, { allStates: async () => [] });
        await store.loadStates();
        return store.committedSequence;
      };
      await until(async () => stored.length === 801, 'the readings stored');
      await until(async () => errors.some((line) => /not recorded/.test(line)), 'the failure reported');
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // several commit periods
      assert.deepEqual(await repository.listAlerts({ limit: 10 }), []);
      assert.equal(await committed(), 0, 'nothing committed: a new owner would score the spike again');
      assert.ok(
        errors.some((line) => /1 alerts are not recorded yet/.test(line)),
        'the commit failed',
      );

      repository.down = false;
      await until(
        async () => (await repository.listAlerts({ limit: 10 })).length === 1,
        'the alert recorded',
      );
      await until(async () => (await committed()) === 1, 'then the message committed');
    } finally {
      await processor?.stop(false);
      await connection.close();
      server.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    }
  },
);

/** Shard 0's processor without detectors: it only stores, committing every 200 ms. */
function storingProcessor(
  parts: Pick<ShardProcessorOptions, 'js' | 'manager' | 'layout' | 'snapshots' | 'sink'>,
  onError: ShardProcessorOptions['onError'],
): ShardProcessor {
  return new ShardProcessor(0, {
    ...parts,
    bus: new MemoryBus(),
    repository: new MemoryMaintenanceRepository(),
    registry: new MemoryRegistry(),
    detector: undefined,
    learningSpanMillis: 0,
    commitIntervalMillis: 200,
    onError,
  });
}

/** The store as the processor sees it, keeping every insert (so a copy written twice shows). */
class RecordingSink {
  readonly inserted: Reading[] = [];

  async insert(readings: readonly Reading[]): Promise<void> {
    this.inserted.push(...readings);
  }

  async check(readings: readonly Reading[]): Promise<{ missing: Reading[]; newest: Map<string, number> }> {
    const from = Math.min(...readings.map((reading) => reading.ts));
    const newest = new Map<string, number>();
    for (const { sensor, ts } of this.inserted)
      if (ts >= from && readings.some((reading) => reading.sensor === sensor))
        newest.set(sensor, Math.max(ts, newest.get(sensor) ?? ts));
    const missing = readings.filter(
      (reading) => !this.inserted.some((row) => row.sensor === reading.sensor && row.ts === reading.ts),
    );
    return { missing, newest };
  }

  keys(): string[] {
    return this.inserted.map((reading) => `${reading.sensor}@${reading.ts}`).sort();
  }
}

test(
  'a reading re-sent in a batch composed otherwise (another message id), or twice in one batch, is stored once, also after a take-over and without detectors (it was stored again, counted twice in the hour rollup)',
  { skip, timeout: 90_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-shard-resend-'));
    const server = await startNatsServer(directory, { name: 'n1', clientPort: 24253 });
    const connection = await connect({ servers: '127.0.0.1:24253' });
    const processors: ShardProcessor[] = [];
    try {
      const layout = { stream: 'UB_RESEND', prefix: 'ubresend', shards: 1 };
      const manager = await connection.jetstreamManager();
      const js = connection.jetstream();
      assert.equal((await ensureReadingStream(manager, layout)).ok, true);
      const snapshots = await StreamPieces.open({
        manager,
        js,
        objects: await js.views.os('ub_resend_snapshots'),
        stream: 'ub_resend_pieces',
        replicas: 1,
        maxInlineBytes: 100_000,
      });
      const sink = new RecordingSink();
      const errors: string[] = [];
      const owner = async (): Promise<ShardProcessor> => {
        const processor = storingProcessor({ js, manager, layout, snapshots, sink }, (error) =>
          errors.push(String(error)),
        );
        processors.push(processor);
        await processor.start();
        return processor;
      };
      const send = (readings: Reading[]) => js.publish(readingSubject(layout, 0), encodeReadings(readings));
      const reading = (sensor: string, ts: number): Reading => ({ sensor, ts, value: ts });

      const first = await owner();
      await send(
        [1, 2, 3, 4, 5].map((ts) => reading('s1', ts)).concat([1, 2, 3].map((ts) => reading('s2', ts))),
      );
      await until(async () => first.handled === 8, 'the first batch handled');
      // Re-sent readings among new ones, in another order, and a new one twice in the same message.
      await send([
        reading('s1', 6),
        reading('s1', 4),
        reading('s1', 3),
        reading('s2', 7),
        reading('s2', 2),
        reading('s2', 7),
      ]);
      await until(async () => first.handled === 14, 'the re-sent batch handled');
      assert.deepEqual(sink.keys(), [
        's1@1',
        's1@2',
        's1@3',
        's1@4',
        's1@5',
        's1@6',
        's2@1',
        's2@2',
        's2@3',
        's2@7',
      ]);
      await first.stop(true);

      // A new owner knows no sensor's newest reading: it learns it from the store.
      const second = await owner();
      await send([reading('s1', 2), reading('s1', 8), reading('s3', 1), reading('s2', 5)]);
      await until(async () => second.handled === 4, 'the batch after the take-over handled');
      await send([reading('s1', 8), reading('s1', 5), reading('s3', 1), reading('s2', 6)]);
      await until(async () => second.handled === 8, 'the next batch handled');
      assert.deepEqual(sink.keys(), [
        's1@1',
        's1@2',
        's1@3',
        's1@4',
        's1@5',
        's1@6',
        's1@8',
        's2@1',
        's2@2',
        's2@3',
        's2@5',
        's2@6',
        's2@7',
        's3@1',
      ]);
      assert.deepEqual(errors, []);
    } finally {
      for (const processor of processors) await processor.stop(false);
      await connection.close();
      server.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    }
  },
);

/** A store whose first insert fails on this side but lands 4.5 s later (a timed-out insert ClickHouse carried out). */
class LateLandingSink extends RecordingSink {
  #failed = false;
  #landed = false;

  constructor(readonly tellsWhenSettled: boolean) {
    super();
  }

  override async insert(readings: readonly Reading[]): Promise<void> {
    if (this.#failed) return super.insert(readings);
    this.#failed = true;
    const late = [...readings];
    setTimeout(() => {
      this.inserted.push(...late);
      this.#landed = true;
    }, 4_500);
    throw new Error('Timeout error.');
  }

  async ping(): Promise<void> {}

  get settle(): (() => Promise<void>) | undefined {
    if (!this.tellsWhenSettled) return undefined;
    return async () => {
      if (!this.#landed) throw new Error('an insert that failed is still running');
    };
  }
}

test(
  'a write that failed but lands after the retry’s check is waited for, not written again (its readings were counted twice)',
  { skip, timeout: 90_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-shard-late-'));
    const server = await startNatsServer(directory, { name: 'n1', clientPort: 24254 });
    const connection = await connect({ servers: '127.0.0.1:24254' });
    try {
      const manager = await connection.jetstreamManager();
      const js = connection.jetstream();
      const stored = async (tellsWhenSettled: boolean): Promise<string[]> => {
        const name = tellsWhenSettled ? 'settled' : 'unsettled';
        const layout = { stream: `UB_LATE_${name.toUpperCase()}`, prefix: `ublate${name}`, shards: 1 };
        assert.equal((await ensureReadingStream(manager, layout)).ok, true);
        const snapshots = await StreamPieces.open({
          manager,
          js,
          objects: await js.views.os(`ub_late_${name}_snapshots`),
          stream: `ub_late_${name}_pieces`,
          replicas: 1,
          maxInlineBytes: 100_000,
        });
        const sink = new LateLandingSink(tellsWhenSettled);
        const processor = storingProcessor({ js, manager, layout, snapshots, sink }, () => undefined);
        try {
          await processor.start();
          await js.publish(
            readingSubject(layout, 0),
            encodeReadings([1, 2, 3].map((ts) => ({ sensor: 's1', ts, value: ts }))),
          );
          await until(async () => processor.handled === 3, 'the batch handled');
          // Past the late landing.
          await new Promise((resolve) => setTimeout(resolve, 5_000));
          return sink.keys();
        } finally {
          await processor.stop(false);
        }
      };
      assert.deepEqual(await stored(true), ['s1@1', 's1@2', 's1@3']);
      // Without the store saying when the failed write is over, the check ran before it landed.
      assert.deepEqual(await stored(false), ['s1@1', 's1@1', 's1@2', 's1@2', 's1@3', 's1@3']);
    } finally {
      await connection.close();
      server.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    }
  },
);
