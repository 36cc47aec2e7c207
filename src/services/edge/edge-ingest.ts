import type { ParsedBatch, Reading, Rejection, RejectionRule } from '../../core/readings/reading.ts';
import type { UnknownSensorPolicy } from '../../core/registry/policy.ts';
import { applyUnknownSensorPolicy } from '../../core/registry/policy.ts';
import { unknownSensor } from '../../core/registry/asset.ts';
import { BacklogGate } from './backlog-gate.ts';
import { KeyFlags } from '../../core/readings/key-flags.ts';
import {
  KeyedColumnBatch,
  newestTimestamp,
  withSensorKeys,
  type ReadingBatch,
} from '../../core/readings/reading-batch.ts';
import type { MessageBus } from '../../ports/bus.ts';
import type { IngestResult, Ingestor } from '../../ports/ingest.ts';
import type { Registry } from '../../ports/registry.ts';

/** What the edges (HTTP, MQTT) are told about a batch. */
export type EdgeOutcome =
  | { ok: true; accepted: number; rejected: Rejection[] }
  | { ok: false; reason: 'overloaded'; retryAfterSeconds: number; rejected: Rejection[] }
  | { ok: false; reason: 'unavailable'; retryAfterSeconds: number; message: string; rejected: Rejection[] }
  | { ok: false; reason: 'shutting-down'; rejected: Rejection[] };

/**
 * The ways readings reach the edge, each a value of the `path` label of the ingest counters: HTTP
 * JSON batches, SenML and line protocol, MQTT telemetry topics and `city/senml`, and the demo's
 * simulated detectors. A fixed set, so the label never carries free text.
 */
export const ingestPaths = ['json', 'senml', 'line_protocol', 'mqtt', 'mqtt_senml', 'simulation'] as const;
export type IngestPath = (typeof ingestPaths)[number];

/** What the pipeline reports as it works; the Prometheus adapter implements it. */
export interface IngestObserver {
  /** Called once per batch, never per reading. */
  accepted(count: number, path: IngestPath): void;
  /** Called once per rule met in a batch, never per reading. */
  rejected(rule: RejectionRule, count: number, path: IngestPath): void;
  /** Readings handed to the store and not yet durable. */
  queueDepth(readings: number): void;
  /** Time the store took to make a batch durable, and how old its newest reading was then. */
  stored(writeMillis: number, lagMillis: number): void;
  /** Called once per batch turned away as overloaded (the client is asked to send it again). */
  overloaded(readings: number, path: IngestPath): void;
}

export interface EdgeIngestOptions {
  ingestor: Ingestor;
  registry: Registry;
  bus: MessageBus;
  policy: UnknownSensorPolicy;
  observer?: IngestObserver;
  nowMillis?: () => number;
  /**
   * Readings handed to the store and not yet durable above which new batches are turned away as
   * overloaded at once (memory stays bounded however many clients send). Default 2,000,000.
   */
  maxInFlightReadings?: number;
  /**
   * Work downstream of the store that accepted readings queue for (the detectors on their own
   * thread): above `maxDownstreamBacklogReadings` (default 250,000) new batches wait, in order,
   * until it drains, at most `downstreamWaitMillis` (default 1,000; 0 turns them away at once),
   * and are turned away as overloaded after that: a slower consumer bounds memory instead of
   * growing a queue, and one that lags for a moment slows acknowledgements for that moment. The
   * readings of waiting batches count as in flight.
   */
  downstream?: { backlogReadings(): number };
  maxDownstreamBacklogReadings?: number;
  downstreamWaitMillis?: number;
}

/** A batch as the edge will store it, once the unknown-sensor policy is applied. */
interface Admitted {
  /** Readings to store. */
  count: number;
  /** The batch's rejections and the policy's, in item order. */
  rejected: Rejection[];
  /** Distinct ids to register before storing. */
  toRegister: string[];
  /** Each stored reading's store key, when the edge looked them up. */
  keys: Int32Array | undefined;
  store(): Promise<IngestResult>;
  /** The stored readings as the bus carries them. */
  published(): ReadingBatch;
}

function byIndex(a: Rejection, b: Rejection): number {
  return a.index - b.index;
}

/** Positions, in the batch as sent, of the items that became readings (one reading per item). */
function survivorIndexes(readings: readonly Reading[], rejected: readonly Rejection[]): number[] | undefined {
  const refused = new Set(rejected.map((r) => r.index));
  const indexes: number[] = [];
  for (let index = 0; indexes.length < readings.length; index += 1)
    if (!refused.has(index)) indexes.push(index);
  return indexes;
}

/**
 * `registry.hasSensor` that answers a run of readings of one sensor (a device's batch) from one
 * lookup. Valid for one batch: the registry does not change while the policy is applied.
 */
function knownSensors(registry: Registry): (sensor: string, position: number) => boolean {
  let last: string | undefined;
  let known = false;
  return (sensor) => {
    if (sensor !== last) {
      last = sensor;
      known = registry.hasSensor(sensor);
    }
    return known;
  };
}

/**
 * The use case behind every ingest edge: apply the unknown-sensor policy, hand the readings to
 * the store, and once they are durable publish them on the bus. Resolves `ok` only after the
 * ingestor did, so the caller may acknowledge.
 */
export class EdgeIngest {
  readonly #options: EdgeIngestOptions;
  readonly #now: () => number;
  readonly #maxInFlight: number;
  readonly #downstream: BacklogGate | undefined;
  #inFlight = 0;
  /** By store key: set when the registry was seen to know the sensor (valid while no sensor is removed). */
  readonly #known = new KeyFlags();
  #removalsSeen = 0;

  constructor(options: EdgeIngestOptions) {
    this.#options = options;
    this.#now = options.nowMillis ?? Date.now;
    this.#maxInFlight = options.maxInFlightReadings ?? 2_000_000;
    if (!(this.#maxInFlight >= 1))
      throw new RangeError(`maxInFlightReadings must be ≥ 1, got ${this.#maxInFlight}`);
    const downstream = options.downstream;
    this.#downstream =
      downstream === undefined
        ? undefined
        : new BacklogGate(
            () => downstream.backlogReadings(),
            options.maxDownstreamBacklogReadings ?? 250_000,
            options.downstreamWaitMillis ?? 1_000,
          );
  }

  /**
   * Counts a whole body refused before it became a batch (not JSON, no line readable), as the
   * edges count a malformed MQTT payload: one rejection under `rule`.
   */
  refused(rule: RejectionRule, path: IngestPath): void {
    this.#options.observer?.rejected(rule, 1, path);
  }

  /** Stores `batch`, which came by `path` (counted under that label). */
  async accept(batch: ParsedBatch, path: IngestPath): Promise<EdgeOutcome> {
    const { registry, bus, observer } = this.#options;
    const admitted = this.#admitColumns(batch) ?? this.#admitReadings(batch);
    const { count, rejected } = admitted;
    const counts = new Map<RejectionRule, number>();
    for (const rejection of rejected) counts.set(rejection.rule, (counts.get(rejection.rule) ?? 0) + 1);
    for (const [rule, count] of counts) observer?.rejected(rule, count, path);
    if (count === 0) return { ok: true, accepted: 0, rejected };
    if (this.#inFlight > 0 && this.#inFlight + count > this.#maxInFlight) {
      observer?.overloaded(count, path);
      return { ok: false, reason: 'overloaded', retryAfterSeconds: 1, rejected };
    }
    this.#inFlight += count;
    observer?.queueDepth(this.#inFlight);
    let result;
    // Durations on the monotonic clock: the wall clock may step back (NTP) and has 1 ms resolution.
    let started: number;
    try {
      if (this.#downstream !== undefined && !(await this.#downstream.pass())) {
        observer?.overloaded(count, path);
        return { ok: false, reason: 'overloaded', retryAfterSeconds: 1, rejected };
      }
      if (admitted.toRegister.length > 0) {
        await registry.addMissingSensors(admitted.toRegister.map(unknownSensor));
        // Every sensor of the batch is registered now: their next readings need not ask again.
        if (admitted.keys !== undefined) for (const key of admitted.keys) this.#known.set(key);
      }
      started = performance.now();
      result = await admitted.store();
    } finally {
      this.#inFlight -= count;
      observer?.queueDepth(this.#inFlight);
    }
    if (!result.ok) {
      if (result.reason === 'overloaded') observer?.overloaded(count, path);
      return { ...result, rejected };
    }
    const writeMillis = performance.now() - started;
    // Keys go along with the batch: in-process readers (the detectors) then skip hashing the ids.
    const published = admitted.published();
    observer?.stored(writeMillis, Math.max(0, this.#now() - newestTimestamp(published)));
    observer?.accepted(count, path);
    await bus.publish('readings', published);
    return { ok: true, accepted: count, rejected };
  }

  /**
   * A batch collected as columns, under the auto-register policy (every reading is stored), into
   * an ingestor that takes columns: stored without an object per reading until it is durable.
   * Undefined when any of that does not hold.
   */
  #admitColumns(batch: ParsedBatch): Admitted | undefined {
    const ingestor = this.#options.ingestor;
    const columns = batch.columns;
    if (columns === undefined || ingestor.ingestColumns === undefined) return undefined;
    if (!this.#keyed()) return undefined;
    const keys = this.#keys(columns.sensors);
    return {
      count: columns.length,
      rejected: [...batch.rejected].sort(byIndex),
      toRegister: this.#unknownByKey(keys, columns.sensors),
      keys,
      store: () => (ingestor.ingestColumns as NonNullable<Ingestor['ingestColumns']>)(columns, keys),
      published: () => new KeyedColumnBatch(columns, keys),
    };
  }

  /**
   * Any batch, its readings as objects: with store keys (auto-register, every reading stored) the
   * sensors not known are found by key as for columns; else the unknown-sensor policy applies.
   */
  #admitReadings(batch: ParsedBatch): Admitted {
    const { ingestor, registry, policy } = this.#options;
    if (this.#keyed()) {
      const ids = batch.readings.map((reading) => reading.sensor);
      const keys = this.#keys(ids);
      // A copy: the bus's batch carries the keys, and the same batch may be accepted again.
      const readings = [...batch.readings];
      return {
        count: readings.length,
        rejected: [...batch.rejected].sort(byIndex),
        toRegister: this.#unknownByKey(keys, ids),
        keys,
        store: () => ingestor.ingest(readings, keys),
        published: () => withSensorKeys(readings, keys),
      };
    }
    const indexes =
      policy === 'reject' ? (batch.items ?? survivorIndexes(batch.readings, batch.rejected)) : undefined;
    const outcome = applyUnknownSensorPolicy(batch.readings, policy, knownSensors(registry), indexes);
    const readings = outcome.readings;
    return {
      count: readings.length,
      rejected: [...batch.rejected, ...outcome.rejected].sort(byIndex),
      toRegister: outcome.toRegister,
      keys: undefined,
      store: () => ingestor.ingest(readings),
      published: () => readings,
    };
  }

  /**
   * Whether each reading's store key is looked up (once): when the store and the registry allow it,
   * and only under the auto-register policy, where every reading is stored (under reject, a flood
   * of unknown ids must not grow the store's key table). Forgets the sensors seen known when the
   * registry removed one since.
   */
  #keyed(): boolean {
    const { ingestor, registry, policy } = this.#options;
    if (policy !== 'auto-register' || ingestor.keyOf === undefined || registry.sensorRemovals === undefined)
      return false;
    const removals = registry.sensorRemovals();
    if (removals !== this.#removalsSeen) {
      this.#known.clearAll();
      this.#removalsSeen = removals;
    }
    return true;
  }

  /** The store key of each id (`#keyed` said the store and the registry allow it). */
  #keys(sensors: readonly string[]): Int32Array {
    const ingestor = this.#options.ingestor as Ingestor & Required<Pick<Ingestor, 'keyOf'>>;
    const keys = new Int32Array(sensors.length);
    for (let index = 0; index < sensors.length; index++)
      keys[index] = ingestor.keyOf(sensors[index] as string);
    return keys;
  }

  /**
   * The distinct ids the registry does not know, in order of first sight, from the remembered
   * lookups: the registry is asked only about sensors not yet seen known.
   */
  #unknownByKey(keys: Int32Array, sensors: readonly string[]): string[] {
    const registry = this.#options.registry;
    const unknown = new Set<string>();
    for (let position = 0; position < keys.length; position++) {
      const key = keys[position] as number;
      if (this.#known.has(key)) continue;
      const sensor = sensors[position] as string;
      if (registry.hasSensor(sensor)) this.#known.set(key);
      else unknown.add(sensor);
    }
    return [...unknown];
  }
}
