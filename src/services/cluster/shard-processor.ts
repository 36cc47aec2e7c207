import type { JetStreamClient, JetStreamManager, ObjectStore } from 'nats';
import type { DetectorSpec } from '../../core/anomaly/detector.ts';
import type { Reading } from '../../core/readings/reading.ts';
import { ShardConsumer } from '../../adapters/nats/shard-consumer.ts';
import type { ShardBatch } from '../../adapters/nats/shard-consumer.ts';
import type { StreamLayout } from '../../adapters/nats/shards.ts';
import type { SnapshotPieces } from '../../adapters/nats/snapshot-pieces.ts';
import { ShardSnapshotStore } from '../../adapters/nats/snapshot-store.ts';
import type { MessageBus } from '../../ports/bus.ts';
import type { MaintenanceRepository } from '../../ports/maintenance.ts';
import type { Registry } from '../../ports/registry.ts';
import { DetectionService } from '../detection/detection-service.ts';
import { NewestReadings } from './newest-readings.ts';
import { describeError } from '../../core/describe-error.ts';

/**
 * A shard's readings are scored this long after they were stored, in time order with the held ones
 * not newer than them: batches that clients send at once reach the stream in any order (a batch sent again
 * after an ingest process failed lands behind later ones), and a reading older than its sensor's
 * last scored one would be skipped, leaving a gap the detector may take for an anomaly. A commit
 * (every `commitIntervalMillis`) scores what is held first.
 */
const REORDER_MILLIS = 3_000;

/** Where a processor writes readings: the ClickHouse adapter, or a fake in tests. */
export interface ReadingSink {
  insert(readings: readonly Reading[]): Promise<void>;
  /**
   * The readings of the list that are not stored yet, and for each of their sensors with a stored
   * reading at or after the earliest `ts` of the list, the newest stored `ts`.
   */
  check(readings: readonly Reading[]): Promise<{ missing: Reading[]; newest: Map<string, number> }>;
  /** Resolves once the store answers again (rejects while it does not). */
  ping?(): Promise<void>;
  /** Resolves once no write that failed may still land (rejects while one may). */
  settle?(): Promise<void>;
}

export interface ShardProcessorOptions {
  js: JetStreamClient;
  manager: JetStreamManager;
  layout: StreamLayout;
  snapshots: SnapshotPieces;
  /** Where earlier versions kept a shard's snapshot as one object, read if nothing newer exists. */
  legacySnapshots?: ObjectStore;
  sink: ReadingSink;
  bus: MessageBus;
  repository: MaintenanceRepository;
  registry: Pick<Registry, 'getSensor' | 'getAsset'>;
  /** Undefined: readings are only stored. */
  detector: DetectorSpec | undefined;
  /** Time a new sensor is watched before it may raise alerts. */
  learningSpanMillis: number;
  commitIntervalMillis: number;
  /** A failure that is retried; `context` says which shard and what it was doing. */
  onError(error: unknown, context?: ErrorContext): void;
}

/** Where a processor's error came from. */
export interface ErrorContext {
  shard?: number;
  operation: string;
}

/** An error of one step of a shard's work, carrying the step's name up to `onError`. */
class StepFailure extends Error {
  readonly operation: string;

  constructor(operation: string, cause: unknown) {
    super(`${operation}: ${describeError(cause)}`, { cause });
    this.operation = operation;
  }
}

async function during<T>(operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new StepFailure(operation, error);
  }
}

/**
 * One shard owned by this processor: readings stored in ClickHouse (suspect ones only if missing),
 * then scored by the shard's detectors; every commit saves the changed detector states to the
 * snapshot stream before the messages are acknowledged. So after a crash the next owner restores the
 * last committed states and is handed exactly the readings that came after them.
 */
export class ShardProcessor {
  readonly shard: number;
  readonly #options: ShardProcessorOptions;
  readonly #snapshots: ShardSnapshotStore;
  readonly #detection: DetectionService | undefined;
  readonly #consumer: ShardConsumer;
  /**
   * Per sensor, a `ts` no stored reading is newer than. A reading newer than it cannot have been
   * stored before; any other (a sensor not met since take-over, a reading re-sent or out of order)
   * is checked against the store. Learned from the store's answers, not restored: a new owner meets
   * each sensor once more.
   */
  readonly #newest = new NewestReadings();
  restored = 0;

  constructor(shard: number, options: ShardProcessorOptions) {
    this.shard = shard;
    this.#options = options;
    // Errors name the shard and the step: storing, committing, waiting for the store, or else
    // reading the stream (fetching, recreating the consumer).
    const onError = (error: unknown): void =>
      error instanceof StepFailure
        ? options.onError(error.cause, { shard, operation: error.operation })
        : options.onError(error, { shard, operation: 'reading the stream' });
    // Full snapshots take the states from the detectors, so the store keeps no copy of them.
    this.#snapshots = new ShardSnapshotStore(options.snapshots, shard, {
      legacy: options.legacySnapshots,
      allStates: async () => (await this.#detection?.allStates()) ?? [],
    });
    this.#detection =
      options.detector === undefined
        ? undefined
        : new DetectionService({
            bus: options.bus,
            repository: options.repository,
            states: this.#snapshots,
            registry: options.registry,
            detector: options.detector,
            learningSpanMillis: options.learningSpanMillis,
            snapshotIntervalMillis: 0,
            reorderMillis: REORDER_MILLIS,
            onError: (error) => options.onError(error, { shard, operation: 'detectors' }),
          });
    this.#consumer = new ShardConsumer({
      js: options.js,
      manager: options.manager,
      layout: options.layout,
      shard,
      handle: (batch) => during('storing readings', () => this.#handle(batch)),
      commit: (sequence) => during('committing detector states', () => this.#commit(sequence)),
      // After a failed write: the store answers again (having taken up what it had queued meanwhile),
      // and a write it had queued has had time to start.
      settle: () =>
        during('waiting for the store', async () => {
          await options.sink.ping?.();
          await new Promise((resolve) => setTimeout(resolve, 3_000));
          // A failed write the store started meanwhile (or before) must end before the next check.
          await options.sink.settle?.();
        }),
      commitIntervalMillis: options.commitIntervalMillis,
      fetchMessages: 256,
      retryMillis: 1_000,
      onError,
    });
  }

  get handled(): number {
    return this.#consumer.handled;
  }

  async start(): Promise<void> {
    const states = await this.#snapshots.loadStates();
    if (this.#detection !== undefined) this.restored = (await this.#detection.restore(states)).restored;
    await this.#consumer.start(this.#snapshots.committedSequence);
  }

  /** A clean hand-over (`commit`) or, when the lease is lost, an immediate stop. */
  async stop(commit: boolean): Promise<void> {
    await this.#consumer.stop(commit);
    // A commit scored them; without one the next owner reads them again.
    this.#detection?.dropHeld();
  }

  /**
   * Stores each reading once: a reading whose (sensor, ts) may be stored already (re-sent by a
   * client after JetStream's duplicate window, or in a batch composed otherwise, or handled by an
   * earlier owner) is written only if the store lacks it, and a copy repeated within the batch once.
   * ClickHouse's hour rollup counts every insert, so a copy written twice would count twice for good.
   */
  async #handle(batch: ShardBatch): Promise<void> {
    const newest = this.#newest;
    const fresh: Reading[] = [];
    const suspect = [...batch.suspect];
    for (const reading of batch.readings)
      if (newest.advance(reading.sensor, reading.ts)) fresh.push(reading);
      else suspect.push(reading);
    let written = fresh;
    if (suspect.length > 0) {
      const checked = await this.#options.sink.check(suspect);
      // Nothing stored after the batch's readings but what the store reported, and the batch itself.
      for (const [sensor, ts] of checked.newest) newest.raise(sensor, ts);
      for (const reading of suspect) newest.raise(reading.sensor, reading.ts);
      const missing = once(checked.missing, fresh);
      if (missing.length > 0) written = fresh.length === 0 ? missing : [...missing, ...fresh];
    }
    if (written.length > 0) await this.#options.sink.insert(written);
    // Detectors skip readings not newer than their state, so suspect ones are safe to score again.
    this.#detection?.accept(
      batch.suspect.length === 0 ? batch.readings : [...batch.suspect, ...batch.readings],
    );
  }

  async #commit(sequence: number): Promise<void> {
    // Alerts raised so far are recorded, changed states merged, then states and sequence written.
    await this.#detection?.forceFlush();
    await this.#snapshots.commit(sequence);
  }
}

/** The missing readings without repeats, and without those the batch writes as fresh. */
function once(missing: readonly Reading[], fresh: readonly Reading[]): Reading[] {
  if (missing.length === 0) return [];
  const seen = new Map<string, Set<number>>();
  for (const reading of missing) seen.set(reading.sensor, new Set());
  for (const reading of fresh) seen.get(reading.sensor)?.add(reading.ts);
  return missing.filter((reading) => {
    const times = seen.get(reading.sensor)!;
    if (times.has(reading.ts)) return false;
    times.add(reading.ts);
    return true;
  });
}
