import type { Reading } from '../core/readings/reading.ts';

/** Outcome of handing validated readings to the pipeline. Expected outcomes are values. */
export type IngestResult =
  | { ok: true; stored: number }
  | { ok: false; reason: 'overloaded'; retryAfterSeconds: number }
  | { ok: false; reason: 'shutting-down' };

/**
 * The ingest pipeline as the edges (HTTP, MQTT) see it.
 * `ingest` resolves `{ok: true}` only once every reading would survive `kill -9` of the process
 * (written to the write-ahead log and fsynced). Re-sent readings (same sensor and ts) are idempotent.
 */
export interface Ingestor {
  ingest(readings: readonly Reading[]): Promise<IngestResult>;
}
