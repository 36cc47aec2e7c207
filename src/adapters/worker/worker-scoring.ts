import { rmSync } from 'node:fs';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { findDetector } from '../../core/anomaly/registry.ts';
import type { EvidencePoint } from '../../core/maintenance/alert.ts';
import { sensorKeysOf, type ReadingBatch } from '../../core/readings/reading-batch.ts';
import type { DetectorState } from '../../ports/maintenance.ts';
import type { Crossing, ScoringEngine } from '../../ports/scoring.ts';
import type { SensorDetectorsOptions } from '../../services/detection/sensor-detectors.ts';
import { spillPathIn } from '../files/state-spill-file.ts';
import { detachEarly } from './detach-early.ts';
import { NamedKeys } from '../../services/detection/named-keys.ts';
import {
  keyedBuffers,
  packStates,
  packedBuffers,
  toColumns,
  toKeyedColumns,
  unpackStates,
} from './columns.ts';
import type { ScoringReply, ScoringRequest, ScoringThreadData } from './scoring-messages.ts';

/** A request before it is numbered (`Omit` applied to each member of the union). */
type Request = ScoringRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

interface Waiting {
  resolve: (reply: ScoringReply) => void;
  reject: (error: Error) => void;
  readings: number;
}

/**
 * The detectors on a thread of their own: ingest hands a batch over and goes on, and the batch is
 * scored on the other core. Requests are answered in the order they were sent. If the thread
 * dies, every waiting and later request fails with the reason.
 */
export class WorkerScoring implements ScoringEngine {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, Waiting>();
  /** Keys whose ids this thread was sent (a new thread starts with none). */
  readonly #named = new NamedKeys();
  #next = 1;
  #backlog = 0;
  #sensors = 0;
  #failure: Error | undefined;
  #closing: Promise<void> | undefined;

  /** `limits` caps the thread's memory: beyond them the thread dies, as on any other failure. */
  constructor(options: SensorDetectorsOptions, limits?: ResourceLimits) {
    // Batches go to the thread as transferred buffers: the first transfer should not deoptimise.
    detachEarly();
    const { detector, ...scoring } = options;
    if (findDetector(detector.name) !== detector) {
      throw new Error(
        `detector ${JSON.stringify(detector.name)} is not a registered one: it cannot run on a thread`,
      );
    }
    // The spill's file is named here, so that it is deleted even when the thread dies holding it.
    const spillFile = scoring.spillFolder === undefined ? undefined : spillPathIn(scoring.spillFolder);
    const data: ScoringThreadData = {
      module: new URL('./scoring-thread.ts', import.meta.url).href,
      detector: detector.name,
      options: scoring,
      ...(spillFile === undefined ? {} : { spillFile }),
    };
    this.#worker = new Worker(new URL('./thread-entry.js', import.meta.url), {
      workerData: data,
      ...(limits === undefined ? {} : { resourceLimits: limits }),
    });
    this.#worker.on('message', (reply: ScoringReply) => this.#settle(reply));
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => {
      if (spillFile !== undefined) rmSync(spillFile, { force: true });
      this.#fail(new Error(`the scoring thread exited with code ${code}`));
    });
  }

  async score(readings: ReadingBatch): Promise<Crossing[]> {
    const keys = sensorKeysOf(readings);
    if (keys !== undefined) {
      const keyed = toKeyedColumns(readings, keys, this.#named.take(keys, readings));
      const reply = await this.#send({ type: 'score-keyed', ...keyed }, readings.length, keyedBuffers(keyed));
      return reply.type === 'score' ? reply.crossings : [];
    }
    const columns = toColumns(readings);
    const reply = await this.#send({ type: 'score', ...columns }, readings.length, [
      columns.timestamps.buffer as ArrayBuffer,
      columns.values.buffer as ArrayBuffer,
    ]);
    return reply.type === 'score' ? reply.crossings : [];
  }

  backlogReadings(): number {
    return this.#backlog;
  }

  sensorCount(): number {
    return this.#sensors;
  }

  async history(sensor: string, fromMillis: number, toMillis: number): Promise<EvidencePoint[] | undefined> {
    const reply = await this.#send({ type: 'history', sensor, fromMillis, toMillis });
    return reply.type === 'history' ? reply.points : undefined;
  }

  async takeStates(all: boolean, limit = Number.POSITIVE_INFINITY, resume = false): Promise<DetectorState[]> {
    const reply = await this.#send({ type: 'take', all, limit, resume });
    return reply.type === 'take' ? unpackStates(reply.states) : [];
  }

  markDirty(sensors: readonly string[]): void {
    this.#send({ type: 'dirty', sensors: sensors.join('\n') }).catch(() => undefined);
  }

  async restore(states: readonly DetectorState[]): Promise<{ restored: number; skipped: number }> {
    const packed = packStates(states);
    const reply = await this.#send({ type: 'restore', states: packed }, 0, packedBuffers(packed));
    return reply.type === 'restore'
      ? { restored: reply.restored, skipped: reply.skipped }
      : { restored: 0, skipped: 0 };
  }

  async ready(): Promise<void> {
    await this.#send({ type: 'sync' });
  }

  broken(): boolean {
    return this.#failure !== undefined && this.#closing === undefined;
  }

  /** Waits for every request sent so far, then stops the thread. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#failure === undefined) {
        await this.#send({ type: 'close' }).catch(() => undefined);
      }
      this.#failure ??= new Error('the scoring thread is closed');
      await this.#worker.terminate();
    })();
    return this.#closing;
  }

  #send(request: Request, readings = 0, transfer: ArrayBuffer[] = []): Promise<ScoringReply> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#next++;
    return new Promise<ScoringReply>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject, readings });
      this.#backlog += readings;
      this.#worker.postMessage({ ...request, id }, transfer);
    });
  }

  #settle(reply: ScoringReply): void {
    const waiting = this.#waiting.get(reply.id);
    if (waiting === undefined) return;
    this.#waiting.delete(reply.id);
    this.#backlog -= waiting.readings;
    this.#sensors = reply.sensorCount;
    if (reply.type === 'failed') waiting.reject(new Error(`scoring thread: ${reply.message}`));
    else waiting.resolve(reply);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiting of this.#waiting.values()) waiting.reject(error);
    this.#waiting.clear();
    this.#backlog = 0;
  }
}
