import type { KV } from 'nats';

export interface ShardLeasesOptions {
  /** Bucket whose entries expire `leaseMillis` after their last write (KV `ttl`). */
  kv: KV;
  /** This processor's id, unique in the cluster. */
  member: string;
  shards: number;
  leaseMillis: number;
  /** Called once a lease is won; the shard is this processor's until `release` or `lost`. */
  acquire(shard: number): Promise<void>;
  /** Called before a lease is given up on purpose (rebalancing, shutdown): finish and save state. */
  release(shard: number): Promise<void>;
  /** Called when a lease could not be renewed in time: stop touching the shard at once. */
  lost(shard: number): Promise<void>;
  onError?: (error: unknown) => void;
}

interface Held {
  revision: number;
  renewedAt: number;
}

const encoder = new TextEncoder();

/** Rendezvous order: each member prefers different shards, so claims rarely collide. */
function preference(member: string, shard: number): number {
  let hash = 0x811c9dc5;
  const key = `${member}/${shard}`;
  for (let index = 0; index < key.length; index += 1)
    hash = Math.imul(hash ^ key.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}

/**
 * Exactly one owner per shard through leases in a JetStream KV bucket: `shard.<n>` holds the owner,
 * won with `create` (only if absent) and renewed with `update` at the revision last written, so two
 * processors never both renew. Members announce themselves under `member.<id>`; each aims at
 * ceil(shards / members) shards, releasing extra ones cleanly and claiming free or expired ones.
 */
export class ShardLeases {
  readonly #options: ShardLeasesOptions;
  readonly #held = new Map<number, Held>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #ticking: Promise<void> | undefined;
  #stopped = false;

  constructor(options: ShardLeasesOptions) {
    if (!(options.leaseMillis >= 1_000)) throw new RangeError('leaseMillis must be at least 1000');
    if (!(options.shards >= 1)) throw new RangeError('shards must be at least 1');
    this.#options = options;
  }

  owned(): number[] {
    return [...this.#held.keys()].sort((a, b) => a - b);
  }

  start(): void {
    void this.tick();
    this.#timer = setInterval(() => void this.tick(), Math.floor(this.#options.leaseMillis / 3));
  }

  /** One round of heartbeat, renewal, release and claims. Overlapping calls share a run; never rejects. */
  tick(): Promise<void> {
    this.#ticking ??= this.#round()
      .catch((error: unknown) => this.#options.onError?.(error))
      .finally(() => {
        this.#ticking = undefined;
      });
    return this.#ticking;
  }

  /** Releases every shard cleanly and leaves the group. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#ticking;
    for (const shard of this.owned()) await this.#release(shard);
    await this.#options.kv.delete(`member.${this.#options.member}`).catch(() => undefined);
  }

  async #round(): Promise<void> {
    if (this.#stopped) return;
    const { kv, member, shards } = this.#options;
    await kv.put(`member.${member}`, encoder.encode(String(Date.now())));
    await this.#renew();
    let members = 0;
    for await (const key of await kv.keys('member.*')) if (key.length > 0) members += 1;
    const target = Math.ceil(shards / Math.max(1, members));
    const extra = this.owned().slice(target);
    for (const shard of extra) await this.#release(shard);
    if (this.#held.size >= target) return;
    const order = [...Array(shards).keys()]
      .filter((shard) => !this.#held.has(shard))
      .sort((a, b) => preference(member, a) - preference(member, b));
    for (const shard of order) {
      if (this.#held.size >= target || this.#stopped) break;
      let revision: number;
      try {
        revision = await kv.create(`shard.${shard}`, encoder.encode(member));
      } catch {
        continue; // held by another member
      }
      this.#held.set(shard, { revision, renewedAt: Date.now() });
      try {
        await this.#options.acquire(shard);
      } catch (error) {
        // Could not start on the shard: give the lease back for another member (or a later round).
        this.#options.onError?.(error);
        const held = this.#held.get(shard);
        this.#held.delete(shard);
        await kv.delete(`shard.${shard}`, { previousSeq: held?.revision ?? revision }).catch(() => undefined);
      }
    }
  }

  async #renew(): Promise<void> {
    const { kv, member, leaseMillis } = this.#options;
    for (const [shard, held] of this.#held) {
      try {
        held.revision = await kv.update(`shard.${shard}`, encoder.encode(member), held.revision);
        held.renewedAt = Date.now();
      } catch (error) {
        // A failed renewal is fatal only once the lease may have expired (a broken update means taken).
        const taken = String(error).includes('wrong last sequence');
        if (taken || Date.now() - held.renewedAt > leaseMillis * 0.7) {
          this.#held.delete(shard);
          await this.#options.lost(shard);
        }
      }
    }
  }

  async #release(shard: number): Promise<void> {
    const held = this.#held.get(shard);
    if (held === undefined) return;
    await this.#options.release(shard);
    this.#held.delete(shard);
    await this.#options.kv.delete(`shard.${shard}`, { previousSeq: held.revision }).catch(() => undefined);
  }
}
