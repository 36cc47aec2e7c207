import type { ParsedBatch } from '../../core/readings/reading.ts';
import { EdgeIngest } from '../edge/edge-ingest.ts';
import type { EdgeIngestOptions, EdgeOutcome, IngestPath } from '../edge/edge-ingest.ts';

export interface WarmedEdgeIngestOptions extends EdgeIngestOptions {
  /** Loads these sensors into the registry's cache, so `hasSensor` answers for them. */
  warm(ids: readonly string[]): Promise<void>;
  onError?: (error: unknown) => void;
}

/**
 * The ingest edge for a registry whose `hasSensor` answers from a cache of what this process met
 * (PostgreSQL in a cluster): each batch's sensors are loaded first, so the `reject` policy accepts
 * sensors registered through another process. A batch whose sensors cannot be looked up is refused
 * as `overloaded` (the client sends it again), never rejected as unknown.
 */
export class WarmedEdgeIngest extends EdgeIngest {
  readonly #warm: (ids: readonly string[]) => Promise<void>;
  readonly #onError: (error: unknown) => void;

  constructor(options: WarmedEdgeIngestOptions) {
    super(options);
    this.#warm = options.warm;
    this.#onError = options.onError ?? (() => undefined);
  }

  override async accept(batch: ParsedBatch, path: IngestPath): Promise<EdgeOutcome> {
    const ids = new Set<string>();
    let last: string | undefined;
    for (const reading of batch.readings) {
      if (reading.sensor !== last) ids.add((last = reading.sensor));
    }
    try {
      await this.#warm([...ids]);
    } catch (error) {
      this.#onError(error);
      return { ok: false, reason: 'overloaded', retryAfterSeconds: 1, rejected: batch.rejected };
    }
    return super.accept(batch, path);
  }
}
