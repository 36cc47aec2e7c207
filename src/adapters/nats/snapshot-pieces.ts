import type { JetStreamClient, JetStreamManager, NatsError, ObjectStore } from 'nats';
import { DiscardPolicy, headers, JsHeaders, nuid, RetentionPolicy, StorageType } from 'nats';
import { ensureStream } from './stream.ts';
import { readPatiently } from './unanswered.ts';

/**
 * Where a shard's committed snapshot lives: one full snapshot (`base`) and numbered deltas after
 * it. `ShardSnapshotStore` decides what goes in them; this port only keeps the bytes.
 */
export interface SnapshotPieces {
  base(shard: number): Promise<Uint8Array | null>;
  putBase(shard: number, data: Uint8Array): Promise<void>;
  delta(shard: number, delta: number): Promise<Uint8Array | null>;
  putDelta(shard: number, delta: number, data: Uint8Array): Promise<void>;
  /** Removes the shard's deltas numbered up to `through` (folded into its base). */
  dropDeltas(shard: number, through: number): Promise<void>;
}

/**
 * Pieces as objects of a JetStream object store (`shard-<n>.base`, `shard-<n>.delta-<k>`), the
 * layout earlier versions wrote: `StreamPieces` reads it when upgrading, and tests use it over an
 * in-memory store. Not for new commits: the object store hashes every byte with a SHA-256 written
 * in JavaScript (a tenth of a processor's CPU when every commit went through it).
 */
export class ObjectStorePieces implements SnapshotPieces {
  readonly #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  base(shard: number): Promise<Uint8Array | null> {
    return readObject(this.#store, `shard-${shard}.base`);
  }

  async putBase(shard: number, data: Uint8Array): Promise<void> {
    await this.#store.putBlob({ name: `shard-${shard}.base` }, data);
  }

  delta(shard: number, delta: number): Promise<Uint8Array | null> {
    return readObject(this.#store, objectDeltaName(shard, delta));
  }

  async putDelta(shard: number, delta: number, data: Uint8Array): Promise<void> {
    await this.#store.putBlob({ name: objectDeltaName(shard, delta) }, data);
  }

  async dropDeltas(shard: number, through: number): Promise<void> {
    const pattern = new RegExp(`^shard-${shard}\\.delta-(\\d+)$`);
    const entries = await this.#store.list().catch(() => []);
    for (const entry of entries) {
      const match = pattern.exec(entry.name);
      if (match !== null && Number(match[1]) <= through)
        await this.#store.delete(entry.name).catch(() => undefined);
    }
  }
}

/**
 * An object's bytes, or null when there is none. Whether it exists is asked patiently (a small
 * read, sent again when a store without a leader leaves it unanswered); the bytes are then read
 * with the client's own timeout, as a large object may take a while.
 */
export async function readObject(store: ObjectStore, name: string): Promise<Uint8Array | null> {
  const info = await readPatiently(`snapshot object ${name}`, () => store.info(name));
  if (info === null || info.deleted) return null;
  return store.getBlob(name);
}

function objectDeltaName(shard: number, delta: number): string {
  return `shard-${shard}.delta-${delta}`;
}

export interface StreamPiecesOptions {
  manager: JetStreamManager;
  js: JetStreamClient;
  /** Where earlier versions kept the pieces: read when the stream has none. */
  objects: ObjectStore;
  /** Stream name; its subjects are `<stream>.<shard>.base` and `<stream>.<shard>.delta.<k>`. */
  stream: string;
  replicas: number;
  /** Largest message body (the server's max_payload less room for headers); larger pieces are chunked. */
  maxInlineBytes: number;
}

/** First byte of a piece's message: the piece follows, or a manifest of its chunks. */
const inline = 0;
const chunked = 2;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Found {
  data: Uint8Array;
  /** Stream sequence of the piece's message (its chunks come before it). */
  sequence: number;
}

/**
 * Pieces as messages of a JetStream stream (replicated like the readings): a publish or a few to
 * write, a get of the last message by subject to read (`STREAM.MSG.GET`, answered by
 * the stream's leader), nothing hashed in JavaScript. A piece larger than a
 * message is published as chunks (`<subject>.<id>.<i>`) followed by a manifest on the piece's own
 * subject. A base is published with a subject rollup, so the stream keeps only the latest, and the
 * chunks of earlier bases are purged; folded deltas are purged with their chunks. Pieces an
 * earlier version wrote to the object store (no message for them) are read from there.
 */
export class StreamPieces implements SnapshotPieces {
  readonly #options: StreamPiecesOptions;
  readonly #objects: ObjectStorePieces;
  /** Stream sequence of each delta message seen (written or read), by subject: what a purge needs. */
  readonly #sequences = new Map<string, number>();
  /** Shards some of whose deltas were read from the object store: their folded objects are deleted too. */
  readonly #objectDeltas = new Set<number>();

  private constructor(options: StreamPiecesOptions) {
    this.#options = options;
    this.#objects = new ObjectStorePieces(options.objects);
  }

  /** Creates the stream if absent (an existing one is left as it is). */
  static async open(options: StreamPiecesOptions): Promise<StreamPieces> {
    if (!(options.maxInlineBytes >= 64)) throw new RangeError('maxInlineBytes must be at least 64');
    await ensureStream(options.manager, {
      name: options.stream,
      subjects: [`${options.stream}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      num_replicas: options.replicas,
      allow_rollup_hdrs: true,
    });
    return new StreamPieces(options);
  }

  async base(shard: number): Promise<Uint8Array | null> {
    const found = await this.#read(this.#baseSubject(shard));
    return found === undefined ? this.#objects.base(shard) : found.data;
  }

  async putBase(shard: number, data: Uint8Array): Promise<void> {
    const subject = this.#baseSubject(shard);
    const rollup = headers();
    rollup.set(JsHeaders.RollupHdr, JsHeaders.RollupValueSubject);
    const written = await this.#write(subject, data, rollup);
    // Chunks of earlier bases were all published before this one's first message.
    await this.#options.manager.streams.purge(this.#options.stream, {
      filter: `${subject}.>`,
      seq: written.first,
    });
  }

  async delta(shard: number, delta: number): Promise<Uint8Array | null> {
    const subject = this.#deltaSubject(shard, delta);
    const found = await this.#read(subject);
    if (found !== undefined) {
      this.#sequences.set(subject, found.sequence);
      return found.data;
    }
    const object = await this.#objects.delta(shard, delta);
    if (object !== null) this.#objectDeltas.add(shard);
    return object;
  }

  async putDelta(shard: number, delta: number, data: Uint8Array): Promise<void> {
    const subject = this.#deltaSubject(shard, delta);
    this.#sequences.set(subject, (await this.#write(subject, data)).sequence);
  }

  async dropDeltas(shard: number, through: number): Promise<void> {
    const { manager, stream } = this.#options;
    const prefix = `${stream}.${shard}.delta.`;
    const sequence = this.#sequences.get(`${prefix}${through}`);
    if (sequence === undefined) {
      for (let delta = 1; delta <= through; delta += 1) {
        await manager.streams.purge(stream, { filter: `${prefix}${delta}` });
        await manager.streams.purge(stream, { filter: `${prefix}${delta}.>` });
      }
    } else {
      // Every delta of the shard (and chunk) published up to and including `through`'s manifest.
      await manager.streams.purge(stream, { filter: `${prefix}>`, seq: sequence + 1 });
    }
    for (const [subject] of this.#sequences)
      if (subject.startsWith(prefix) && Number(subject.slice(prefix.length)) <= through)
        this.#sequences.delete(subject);
    if (this.#objectDeltas.delete(shard)) await this.#objects.dropDeltas(shard, through);
  }

  async #get(subject: string): Promise<{ data: Uint8Array; seq: number } | undefined> {
    const { manager, stream } = this.#options;
    try {
      return await readPatiently(`snapshot piece ${subject}`, () =>
        manager.streams.getMessage(stream, { last_by_subj: subject }),
      );
    } catch (error) {
      if (isNoMessage(error)) return undefined;
      throw error;
    }
  }

  async #read(subject: string): Promise<Found | undefined> {
    const message = await this.#get(subject);
    if (message === undefined) return undefined;
    const body = message.data;
    if (body[0] === inline) return { data: body.subarray(1), sequence: message.seq };
    if (body[0] !== chunked || body.byteLength < 9)
      throw new Error(`snapshot piece ${subject}: unknown form ${body[0]}`);
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const count = view.getUint32(1, true);
    const size = view.getUint32(5, true);
    const id = decoder.decode(body.subarray(9));
    const data = new Uint8Array(size);
    let at = 0;
    for (let index = 0; index < count; index += 1) {
      const chunk = await this.#get(`${subject}.${id}.${index}`);
      if (chunk === undefined)
        throw new Error(`snapshot piece ${subject}: chunk ${index} of ${count} is missing`);
      data.set(chunk.data, at);
      at += chunk.data.byteLength;
    }
    if (at !== size) throw new Error(`snapshot piece ${subject}: chunks hold ${at} bytes, not ${size}`);
    return { data, sequence: message.seq };
  }

  /** Publishes a piece; returns the sequences of its first message and of its own (last) one. */
  async #write(
    subject: string,
    data: Uint8Array,
    messageHeaders?: ReturnType<typeof headers>,
  ): Promise<{ first: number; sequence: number }> {
    const { js, maxInlineBytes } = this.#options;
    const options = messageHeaders === undefined ? {} : { headers: messageHeaders };
    if (data.byteLength + 1 <= maxInlineBytes) {
      const body = new Uint8Array(1 + data.byteLength);
      body[0] = inline;
      body.set(data, 1);
      const ack = await js.publish(subject, body, options);
      return { first: ack.seq, sequence: ack.seq };
    }
    const id = nuid.next();
    let first = Number.POSITIVE_INFINITY;
    let count = 0;
    for (let at = 0; at < data.byteLength; at += maxInlineBytes, count += 1) {
      const ack = await js.publish(`${subject}.${id}.${count}`, data.subarray(at, at + maxInlineBytes));
      first = Math.min(first, ack.seq);
    }
    const name = encoder.encode(id);
    const manifest = new Uint8Array(9 + name.byteLength);
    const view = new DataView(manifest.buffer);
    manifest[0] = chunked;
    view.setUint32(1, count, true);
    view.setUint32(5, data.byteLength, true);
    manifest.set(name, 9);
    const ack = await js.publish(subject, manifest, options);
    return { first, sequence: ack.seq };
  }

  #baseSubject(shard: number): string {
    return `${this.#options.stream}.${shard}.base`;
  }

  #deltaSubject(shard: number, delta: number): string {
    return `${this.#options.stream}.${shard}.delta.${delta}`;
  }
}

/** JetStream's error code for a get that found no message on the subject. */
const noMessageFound = 10037;

/**
 * Whether a get's failure means the piece is absent. Only "no message found" does: other 404s
 * ("stream not found", which a server still recovering its streams may answer) say nothing about
 * the piece, and taking them for absence would start a shard from no states and let its next full
 * snapshot roll the committed one away.
 */
export function isNoMessage(error: unknown): boolean {
  const api = (error as Partial<NatsError> | null)?.api_error;
  if (api === undefined || api.code !== 404) return false;
  // Servers before err_code existed say it in the description only.
  return api.err_code === undefined
    ? /no message found/i.test(api.description)
    : api.err_code === noMessageFound;
}
