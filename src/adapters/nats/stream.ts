import type { JetStreamManager, StreamConfig } from 'nats';
import { DiscardPolicy, RetentionPolicy, StorageType } from 'nats';
import type { StreamLayout } from './shards.ts';

export interface StreamOptions {
  /** Copies of each message kept on distinct servers (1 or 3 in practice). */
  replicas: number;
  /** How long a re-published batch (same message id) is recognised and dropped. */
  duplicateWindowMillis: number;
  /** Oldest readings kept when nobody consumed them (a processor outage longer than this loses data). */
  maxAgeMillis: number;
  /** Upper bound on the stream's disk use per server. */
  maxBytes: number;
}

export const defaultStreamOptions: StreamOptions = {
  replicas: 1,
  duplicateWindowMillis: 120_000,
  maxAgeMillis: 24 * 3_600_000,
  maxBytes: 8 * 1024 ** 3,
};

const nanosPerMilli = 1_000_000;

/** Creates a stream if absent (idempotent; an existing stream is left as it is). */
export async function ensureStream(
  manager: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  try {
    await manager.streams.info(config.name);
    return;
  } catch {
    // absent: create below
  }
  await manager.streams.add(config);
}

/** Creates the readings stream if absent (idempotent; an existing stream is left as it is). */
export async function ensureReadingStream(
  manager: JetStreamManager,
  layout: StreamLayout,
  options: StreamOptions = defaultStreamOptions,
): Promise<void> {
  await ensureStream(manager, {
    name: layout.stream,
    subjects: [`${layout.prefix}.readings.*`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: options.replicas,
    duplicate_window: options.duplicateWindowMillis * nanosPerMilli,
    max_age: options.maxAgeMillis * nanosPerMilli,
    max_bytes: options.maxBytes,
  });
}
