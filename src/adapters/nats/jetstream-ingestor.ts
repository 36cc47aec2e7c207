import { createHash } from 'node:crypto';
import type { JetStreamClient } from 'nats';
import type { Reading } from '../../core/readings/reading.ts';
import type { IngestResult, Ingestor } from '../../ports/ingest.ts';
import { encodeReadings } from './reading-codec.ts';
import { readingSubject, shardOf } from './shards.ts';
import type { StreamLayout } from './shards.ts';

export interface JetStreamIngestorOptions {
  js: JetStreamClient;
  layout: StreamLayout;
  /** Readings being published and not yet acknowledged by JetStream past which batches are refused (429). */
  maxPendingReadings: number;
  /** How long to wait for JetStream's publish acknowledgement. */
  publishTimeoutMillis: number;
  /**
   * Whether JetStream was last seen able to store (the engine monitor's probe): a publish that
   * times out while it is not is `unavailable`, else `overloaded` (a slow stream). Default: able.
   */
  storing?: () => boolean;
  /** Told about publish failures (the caller gets `overloaded` or `unavailable` and resends). */
  onError?: (error: unknown) => void;
}

/** How long a client is asked to wait while JetStream cannot store (a leader election takes seconds). */
const unavailableRetrySeconds = 5;

/**
 * Why a publish failure means JetStream cannot store now, or undefined when it may only be slow:
 * no server answers the subject (no stream leader), JetStream answers 503 (no quorum), the
 * connection is closed or draining, or the acknowledgement timed out while the probe says
 * JetStream cannot store.
 */
export function unavailability(error: unknown, storing: boolean): string | undefined {
  const { code, api_error: api } = (error ?? {}) as { code?: unknown; api_error?: { code?: number } };
  if (code === '503' || api?.code === 503) return 'no JetStream server can store readings now';
  if (code === 'CONNECTION_CLOSED' || code === 'CONNECTION_DRAINING') return 'the NATS connection is closed';
  if (code === 'TIMEOUT' && !storing) return 'JetStream cannot store readings now (no quorum)';
  return undefined;
}

/**
 * Ingest onto JetStream: a batch is split by sensor shard, one message per shard, and `ingest`
 * resolves `ok` only once JetStream acknowledged every message (stored on a majority of the
 * stream's replicas), so an acknowledged reading survives `kill -9` of this process and of any one
 * server. Each message's id is a hash of its content, so a batch re-sent within the stream's
 * duplicate window is stored once.
 */
export class JetStreamIngestor implements Ingestor {
  readonly #options: JetStreamIngestorOptions;
  #pending = 0;
  #closed = false;
  /** Readings acknowledged by JetStream since start. */
  acknowledged = 0;

  constructor(options: JetStreamIngestorOptions) {
    if (!(options.maxPendingReadings > 0)) throw new RangeError('maxPendingReadings must be positive');
    if (!(options.publishTimeoutMillis > 0)) throw new RangeError('publishTimeoutMillis must be positive');
    this.#options = options;
  }

  async ingest(readings: readonly Reading[]): Promise<IngestResult> {
    if (this.#closed) return { ok: false, reason: 'shutting-down' };
    if (readings.length === 0) return { ok: true, stored: 0 };
    if (this.#pending + readings.length > this.#options.maxPendingReadings)
      return { ok: false, reason: 'overloaded', retryAfterSeconds: 1 };
    this.#pending += readings.length;
    try {
      await Promise.all(this.#split(readings).map(([shard, part]) => this.#publish(shard, part)));
      this.acknowledged += readings.length;
      return { ok: true, stored: readings.length };
    } catch (error) {
      this.#options.onError?.(error);
      const message = unavailability(error, this.#options.storing?.() ?? true);
      return message === undefined
        ? { ok: false, reason: 'overloaded', retryAfterSeconds: 1 }
        : { ok: false, reason: 'unavailable', retryAfterSeconds: unavailableRetrySeconds, message };
    } finally {
      this.#pending -= readings.length;
    }
  }

  /** Refuses new batches; those in flight finish. */
  close(): void {
    this.#closed = true;
  }

  #split(readings: readonly Reading[]): [number, Reading[]][] {
    const shards = this.#options.layout.shards;
    const parts = new Map<number, Reading[]>();
    for (const reading of readings) {
      const shard = shardOf(reading.sensor, shards);
      let part = parts.get(shard);
      if (part === undefined) parts.set(shard, (part = []));
      part.push(reading);
    }
    return [...parts];
  }

  async #publish(shard: number, readings: Reading[]): Promise<void> {
    const data = encodeReadings(readings);
    const msgID = createHash('sha1').update(data).digest('base64url');
    await this.#options.js.publish(readingSubject(this.#options.layout, shard), data, {
      msgID,
      timeout: this.#options.publishTimeoutMillis,
    });
  }
}
