import type { JetStreamClient, JetStreamManager, NatsError, ObjectStore } from 'nats';
import { DiscardPolicy, headers, JsHeaders, RetentionPolicy, StorageType } from 'nats';

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
 * Pieces as objects of a JetStream object store: `shard-<n>.base`, `shard-<n>.delta-<k>`. The
 * object store chunks any size, but hashes every byte with a SHA-256 written in JavaScript (a
 * tenth of a processor's CPU when every commit went through it).
 */
export class ObjectStorePieces implements SnapshotPieces {
  readonly #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  base(shard: number): Promise<Uint8Array | null> {
    return this.#store.getBlob(`shard-${shard}.base`);
  }

  async putBase(shard: number, data: Uint8Array): Promise<void> {
    await this.#store.putBlob({ name: `shard-${shard}.base` }, data);
  }

  delta(shard: number, delta: number): Promise<Uint8Array | null> {
    return this.#store.getBlob(objectDeltaName(shard, delta));
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

function objectDeltaName(shard: number, delta: number): string {
  return `shard-${shard}.delta-${delta}`;
}

export interface StreamPiecesOptions {
  manager: JetStreamManager;
  js: JetStreamClient;
  /** Pieces too large for one message, and those an earlier version wrote there. */
  objects: ObjectStore;
  /** Stream name; its subjects are `<stream>.<shard>.base` and `<stream>.<shard>.delta.<k>`. */
  stream: string;
  replicas: number;
  /** Largest piece sent as one message (the server's max_payload less room for headers). */
  maxInlineBytes: number;
}

/** First byte of a message: the piece follows, or the name of the object holding it. */
const inline = 0;
const pointer = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Pieces as messages of a JetStream stream (replicated like the readings): one publish to write,
 * one direct get to read, nothing hashed in JavaScript. A base is published with a subject rollup,
 * so the stream keeps only the latest; folded deltas are purged. A piece larger than a message is
 * written to the object store and the message points to it. Pieces an earlier version wrote to the
 * object store (no message for them) are read from there.
 */
export class StreamPieces implements SnapshotPieces {
  readonly #options: StreamPiecesOptions;
  readonly #objects: ObjectStorePieces;
  /** Stream sequence of each delta message seen (written or read), by subject: what a purge needs. */
  readonly #sequences = new Map<string, number>();
  /** Shards some of whose deltas are (or may be) objects: their folded objects are deleted too. */
  readonly #objectDeltas = new Set<number>();

  private constructor(options: StreamPiecesOptions) {
    this.#options = options;
    this.#objects = new ObjectStorePieces(options.objects);
  }

  /** Creates the stream if absent (an existing one is left as it is). */
  static async open(options: StreamPiecesOptions): Promise<StreamPieces> {
    if (!(options.maxInlineBytes > 0)) throw new RangeError('maxInlineBytes must be positive');
    try {
      await options.manager.streams.info(options.stream);
    } catch {
      await options.manager.streams.add({
        name: options.stream,
        subjects: [`${options.stream}.>`],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        num_replicas: options.replicas,
        allow_rollup_hdrs: true,
      });
    }
    return new StreamPieces(options);
  }

  async base(shard: number): Promise<Uint8Array | null> {
    const found = await this.#read(this.#baseSubject(shard));
    return found === undefined ? this.#objects.base(shard) : found.data;
  }

  async putBase(shard: number, data: Uint8Array): Promise<void> {
    const rollup = headers();
    rollup.set(JsHeaders.RollupHdr, JsHeaders.RollupValueSubject);
    await this.#write(this.#baseSubject(shard), `shard-${shard}.base`, data, rollup);
  }

  async delta(shard: number, delta: number): Promise<Uint8Array | null> {
    const subject = this.#deltaSubject(shard, delta);
    const found = await this.#read(subject);
    if (found !== undefined) {
      this.#sequences.set(subject, found.sequence);
      if (found.object) this.#objectDeltas.add(shard);
      return found.data;
    }
    const object = await this.#objects.delta(shard, delta);
    if (object !== null) this.#objectDeltas.add(shard);
    return object;
  }

  async putDelta(shard: number, delta: number, data: Uint8Array): Promise<void> {
    const subject = this.#deltaSubject(shard, delta);
    const written = await this.#write(subject, objectDeltaName(shard, delta), data);
    this.#sequences.set(subject, written.sequence);
    if (written.object) this.#objectDeltas.add(shard);
  }

  async dropDeltas(shard: number, through: number): Promise<void> {
    const { manager, stream } = this.#options;
    const subject = this.#deltaSubject(shard, through);
    const sequence = this.#sequences.get(subject);
    if (sequence === undefined) {
      for (let delta = 1; delta <= through; delta += 1)
        await manager.streams.purge(stream, { filter: this.#deltaSubject(shard, delta) });
    } else {
      // Every delta of the shard published up to and including `through`'s message.
      await manager.streams.purge(stream, { filter: `${stream}.${shard}.delta.*`, seq: sequence + 1 });
    }
    for (const [known] of this.#sequences)
      if (
        known.startsWith(`${stream}.${shard}.delta.`) &&
        Number(known.slice(known.lastIndexOf('.') + 1)) <= through
      )
        this.#sequences.delete(known);
    if (this.#objectDeltas.delete(shard)) await this.#objects.dropDeltas(shard, through);
  }

  async #read(subject: string): Promise<{ data: Uint8Array; sequence: number; object: boolean } | undefined> {
    let message;
    try {
      message = await this.#options.manager.streams.getMessage(this.#options.stream, {
        last_by_subj: subject,
      });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const body = message.data;
    if (body[0] === inline) return { data: body.subarray(1), sequence: message.seq, object: false };
    if (body[0] !== pointer) throw new Error(`snapshot piece ${subject}: unknown form ${body[0]}`);
    const name = decoder.decode(body.subarray(1));
    const data = await this.#options.objects.getBlob(name);
    if (data === null) throw new Error(`snapshot piece ${subject}: object ${name} is missing`);
    return { data, sequence: message.seq, object: true };
  }

  async #write(
    subject: string,
    objectName: string,
    data: Uint8Array,
    messageHeaders?: ReturnType<typeof headers>,
  ): Promise<{ sequence: number; object: boolean }> {
    const { js, objects, maxInlineBytes } = this.#options;
    let body: Uint8Array;
    const object = data.byteLength > maxInlineBytes;
    if (object) {
      await objects.putBlob({ name: objectName }, data);
      const name = encoder.encode(objectName);
      body = new Uint8Array(1 + name.byteLength);
      body[0] = pointer;
      body.set(name, 1);
    } else {
      body = new Uint8Array(1 + data.byteLength);
      body[0] = inline;
      body.set(data, 1);
    }
    const ack = await js.publish(
      subject,
      body,
      messageHeaders === undefined ? {} : { headers: messageHeaders },
    );
    return { sequence: ack.seq, object };
  }

  #baseSubject(shard: number): string {
    return `${this.#options.stream}.${shard}.base`;
  }

  #deltaSubject(shard: number, delta: number): string {
    return `${this.#options.stream}.${shard}.delta.${delta}`;
  }
}

function isNotFound(error: unknown): boolean {
  const api = (error as NatsError).api_error;
  return api?.code === 404 || /no message found/i.test((error as Error).message ?? '');
}
