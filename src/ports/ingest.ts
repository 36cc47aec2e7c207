import type { Reading } from '../core/readings/reading.ts';
import type { ReadingColumns } from '../core/readings/reading-columns.ts';

/** Outcome of handing validated readings to the pipeline. Expected outcomes are values. */
export type IngestResult =
  | { ok: true; stored: number }
  | { ok: false; reason: 'overloaded'; retryAfterSeconds: number }
  /** The store cannot take readings now (a cluster without quorum); `message` says why. */
  | { ok: false; reason: 'unavailable'; retryAfterSeconds: number; message: string }
  | { ok: false; reason: 'shutting-down' };

/**
 * The ingest pipeline as the edges (HTTP, MQTT) see it.
 * `ingest` resolves `{ok: true}` only once every reading would survive `kill -9` of the process
 * (written to the write-ahead log and fsynced). Re-sent readings (same sensor and ts) are idempotent.
 */
export interface Ingestor {
  /**
   * `keys`, when given, holds each reading's sensor key as `keyOf` returned it, so the ingestor
   * need not look the sensor up again.
   */
  ingest(readings: readonly Reading[], keys?: Int32Array): Promise<IngestResult>;
  /**
   * The dense key this ingestor's store gives a sensor id (assigned on first sight), for ingestors
   * that have one: the edge looks each reading's sensor up once and uses the key for everything.
   */
  keyOf?(sensor: string): number;
  /**
   * `ingest` for readings as columns, with every reading's key from `keyOf`, for ingestors that
   * take them so: the edge then makes no object per reading.
   */
  ingestColumns?(columns: ReadingColumns, keys: Int32Array): Promise<IngestResult>;
}
