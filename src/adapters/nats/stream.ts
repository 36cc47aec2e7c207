import type { JetStreamManager, StreamConfig, StreamInfo } from 'nats';
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

/**
 * Resolves when `stream` can store: its leader answers the stream's info. A stream that lost its
 * quorum has no leader, so the request goes unanswered, is refused (503), or says no leader; the
 * client's connection to a surviving server does not show it. One small request: cheap to ask
 * every few seconds (give `manager` a short timeout).
 */
export async function checkStreamStoring(manager: JetStreamManager, stream: string): Promise<void> {
  const info = await manager.streams.info(stream);
  if (info.cluster !== undefined && !info.cluster.leader)
    throw new Error(`stream ${stream} has no leader (no quorum of its replicas)`);
}

/** The outcome of `ensureReadingStream`: a stream that does not fit this process's options is refused. */
export type ReadingStreamCheck =
  | {
      ok: true;
      /** Set when a stream of an earlier version was given the shard count it lacked. */ adopted?: number;
    }
  | { ok: false; message: string };

const shardsNote = /\b(\d+) shards\b/;

/** The stream's description: where the shard count is kept (the subjects, `<prefix>.readings.*`, do not tell it). */
export function describeReadings(layout: StreamLayout): string {
  return `urban-brain readings: ${layout.shards} shards (subject ${layout.prefix}.readings.<shard>)`;
}

/** The shard count a stream's description records, or undefined (a stream of an earlier version). */
export function recordedShards(description: string | undefined): number | undefined {
  const match = shardsNote.exec(description ?? '');
  return match === null ? undefined : Number(match[1]);
}

function apiCode(error: unknown): number | undefined {
  return (error as { api_error?: { err_code?: number } } | null)?.api_error?.err_code;
}

async function findStream(manager: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await manager.streams.info(name);
  } catch (error) {
    if (apiCode(error) === 10059 || String(error).includes('stream not found')) return undefined;
    throw error;
  }
}

/**
 * Creates the readings stream if absent, recording the shard count in its description. An existing
 * stream is checked instead: a process whose `layout.shards` or `options.replicas` differ from the
 * stream's is refused, since it would publish to subjects no processor reads (or score a sensor on
 * two shards). A stream of an earlier version, which recorded no count, adopts `layout.shards` unless
 * it holds readings of a shard that count does not have.
 */
export async function ensureReadingStream(
  manager: JetStreamManager,
  layout: StreamLayout,
  options: StreamOptions = defaultStreamOptions,
): Promise<ReadingStreamCheck> {
  let existing = await findStream(manager, layout.stream);
  if (existing === undefined) {
    try {
      await manager.streams.add({
        name: layout.stream,
        description: describeReadings(layout),
        subjects: [`${layout.prefix}.readings.*`],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        num_replicas: options.replicas,
        duplicate_window: options.duplicateWindowMillis * nanosPerMilli,
        max_age: options.maxAgeMillis * nanosPerMilli,
        max_bytes: options.maxBytes,
      });
      return { ok: true };
    } catch (error) {
      // Another process created it a moment before, perhaps with other options: check that one.
      if (apiCode(error) !== 10058 && !String(error).includes('already in use')) throw error;
      existing = await manager.streams.info(layout.stream);
    }
  }
  return conform(manager, existing, layout, options);
}

async function conform(
  manager: JetStreamManager,
  existing: StreamInfo,
  layout: StreamLayout,
  options: StreamOptions,
): Promise<ReadingStreamCheck> {
  const name = layout.stream;
  const replicas = existing.config.num_replicas;
  if (replicas !== options.replicas)
    return {
      ok: false,
      message: `the readings stream ${name} has ${replicas} replicas but this process was started with --replicas ${options.replicas}: start every process of the cluster with --replicas ${replicas}`,
    };
  const recorded = recordedShards(existing.config.description);
  if (recorded !== undefined)
    return recorded === layout.shards
      ? { ok: true }
      : {
          ok: false,
          message: `the readings stream ${name} was created with ${recorded} shards but this process was started with --shards ${layout.shards}: start every process of the cluster with --shards ${recorded} (the count is fixed for the life of the stream)`,
        };
  // An earlier version's stream: the highest shard it holds readings of is a lower bound of its count.
  const held = await manager.streams.info(name, { subjects_filter: `${layout.prefix}.readings.*` });
  const highest = Math.max(
    -1,
    ...Object.keys(held.state.subjects ?? {}).map((subject) => Number(subject.split('.').at(-1))),
  );
  if (highest >= layout.shards)
    return {
      ok: false,
      message: `the readings stream ${name} holds readings of shard ${highest} but this process was started with --shards ${layout.shards}: start every process of the cluster with the --shards the stream was created with (more than ${highest})`,
    };
  await manager.streams.update(name, { description: describeReadings(layout) });
  // Two processes adopting at once: the description written last stands, and the other one is refused.
  const after = recordedShards((await manager.streams.info(name)).config.description);
  if (after !== layout.shards)
    return {
      ok: false,
      message: `the readings stream ${name} was given ${after} shards by another process while this one was started with --shards ${layout.shards}: start every process of the cluster with --shards ${after}`,
    };
  return { ok: true, adopted: layout.shards };
}
