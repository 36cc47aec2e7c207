import type { JetStreamClient, KV } from 'nats';
import { within } from './unanswered.ts';

export interface ShardLeasesOptions {
  /** Bucket whose entries expire `leaseMillis` after their last write (KV `ttl`). */
  kv: KV;
  /** Number of live members (their `member.<id>` keys); undefined when it could not be told. */
  countMembers(): Promise<number | undefined>;
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

/**
 * Opens (or creates) the leases bucket, read through the stream's leader only. A direct get may be
 * answered by any replica, and one lagging behind after an outage hands out old revisions: claims
 * and renewals made at them are refused, and leases change hands for no reason.
 */
export function openLeaseBucket(
  js: JetStreamClient,
  bucket: string,
  options: { leaseMillis: number; replicas: number },
): Promise<KV> {
  return js.views.kv(bucket, {
    ttl: options.leaseMillis,
    history: 1,
    replicas: options.replicas,
    allow_direct: false,
  });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

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
 * processors never both renew. A key naming this member that it does not hold (a claim whose answer
 * was lost) is taken back with `update` at the key's revision. Members announce themselves under `member.<id>`; each aims at
 * ceil(shards / members) shards, releasing extra ones cleanly and claiming free or expired ones.
 * A shard whose lease was not renewed for 70% of the lease time is dropped before it can expire.
 * Every step has a deadline, so a stalled server or hand-over never stops the renewals.
 */
export class ShardLeases {
  readonly #options: ShardLeasesOptions;
  readonly #held = new Map<number, Held>();
  /** Shards being acquired or released: no other step touches them meanwhile. */
  readonly #busy = new Set<number>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #ticking: Promise<void> | undefined;
  /** Live members at the last count that answered. */
  #members: number | undefined;
  #stopped = false;

  constructor(options: ShardLeasesOptions) {
    if (!(options.leaseMillis >= 1_000)) throw new RangeError('leaseMillis must be at least 1000');
    if (!(options.shards >= 1)) throw new RangeError('shards must be at least 1');
    this.#options = options;
  }

  owned(): number[] {
    return [...this.#held.keys()].sort((a, b) => a - b);
  }

  /**
   * Whether a live processor already uses this member id: its `member.<id>` heartbeat is rewritten
   * while this one watches it. A key left by a processor of the same id that stopped without leaving
   * (a crash, then a restart) is not rewritten and expires within a lease time, which ends the watch.
   */
  async memberInUse(): Promise<boolean> {
    const { kv, member, leaseMillis } = this.#options;
    const key = `member.${member}`;
    const first = await kv.get(key);
    if (first === null || first.operation !== 'PUT') return false;
    const deadline = Date.now() + leaseMillis * 1.5;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(500, leaseMillis / 10)));
      const now = await kv.get(key);
      if (now === null || now.operation !== 'PUT') return false;
      if (now.revision !== first.revision) return true;
    }
    return false;
  }

  start(): void {
    void this.tick();
    this.#timer = setInterval(() => void this.tick(), Math.floor(this.#options.leaseMillis / 4));
  }

  /**
   * One round of renewal, heartbeat, release and claims. Overlapping calls share a run; never rejects.
   * Every step has a deadline, so a round ends within half a lease time and rounds do not overlap.
   */
  tick(): Promise<void> {
    // The deadline is a last resort: the round's own steps end it within half a lease time.
    this.#ticking ??= within(this.#round(), this.#options.leaseMillis * 0.75, 'lease round')
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
    await Promise.all(this.owned().map((shard) => this.#release(shard)));
    await within(this.#options.kv.delete(`member.${this.#options.member}`), 5_000, 'leave').catch(
      () => undefined,
    );
  }

  async #round(): Promise<void> {
    if (this.#stopped) return;
    const { kv, member, shards, leaseMillis, onError } = this.#options;
    const began = Date.now();
    const step = leaseMillis / 4;
    // A failed heartbeat or count does not stop the round: claims are safe without them, and a
    // shard nobody holds must not wait for this member's next good round.
    const [, , counted] = await Promise.all([
      this.#renew(step),
      within(kv.put(`member.${member}`, encoder.encode(String(Date.now()))), step, 'heartbeat').catch(
        (error: unknown) => onError?.(error),
      ),
      within(this.#options.countMembers(), step, 'members').catch(() => undefined),
    ]);
    if (counted !== undefined) this.#members = counted;
    if (this.#stopped) return;
    const target = Math.ceil(shards / Math.max(1, this.#members ?? 1));
    if (counted !== undefined) {
      const extra = this.owned()
        .filter((shard) => !this.#busy.has(shard))
        .slice(target);
      // Hand-overs run in the background: renewals must go on while a shard finishes.
      for (const shard of extra) void this.#release(shard);
    }
    const order = [...Array(shards).keys()]
      .filter((shard) => !this.#held.has(shard) && !this.#busy.has(shard))
      .sort((a, b) => preference(member, a) - preference(member, b));
    // Claims go in parallel, as many as are missing, then the next ones if some were held, until
    // half a lease time after the round began.
    const deadline = began + leaseMillis / 2;
    while (this.#held.size < target && order.length > 0 && !this.#stopped && Date.now() < deadline) {
      const batch = order.splice(0, target - this.#held.size);
      await Promise.all(batch.map((shard) => this.#claim(shard, deadline)));
    }
  }

  /** Wins a free shard, or takes back one whose key names this member (a claim whose answer was lost). */
  async #claim(shard: number, deadline: number): Promise<void> {
    const { kv, member } = this.#options;
    const key = `shard.${shard}`;
    const left = (): number => Math.max(0, deadline - Date.now());
    let revision: number;
    try {
      revision = await within(kv.create(key, encoder.encode(member)), left(), 'claim');
    } catch {
      try {
        // Held by another member, or written by this one without an answer: only the latter is taken.
        const entry = await within(kv.get(key), left(), 'claim');
        if (entry === null || entry.operation !== 'PUT' || decoder.decode(entry.value) !== member) return;
        revision = await within(kv.update(key, encoder.encode(member), entry.revision), left(), 'claim');
      } catch {
        return; // no answer: try again next round
      }
    }
    if (this.#stopped) {
      await kv.delete(key, { previousSeq: revision }).catch(() => undefined);
      return;
    }
    this.#held.set(shard, { revision, renewedAt: Date.now() });
    void this.#acquire(shard, revision);
  }

  async #acquire(shard: number, revision: number): Promise<void> {
    this.#busy.add(shard);
    try {
      // A start that hangs (a stalled server) must not hold the shard for ever.
      await within(this.#options.acquire(shard), this.#options.leaseMillis * 2, `start on shard ${shard}`);
    } catch (error) {
      // Could not start on the shard: give the lease back for another member (or a later round).
      this.#options.onError?.(error);
      const held = this.#held.get(shard);
      this.#held.delete(shard);
      await this.#options.kv
        .delete(`shard.${shard}`, { previousSeq: held?.revision ?? revision })
        .catch(() => undefined);
    } finally {
      this.#busy.delete(shard);
    }
  }

  async #renew(stepMillis: number): Promise<void> {
    const { kv, member, leaseMillis } = this.#options;
    await Promise.all(
      [...this.#held].map(async ([shard, held]) => {
        try {
          held.revision = await within(
            kv.update(`shard.${shard}`, encoder.encode(member), held.revision),
            stepMillis,
            'renew',
          );
          held.renewedAt = Date.now();
        } catch (error) {
          // A refused update means the lease is someone else's; a silent one is fatal only near expiry.
          const taken = String(error).includes('wrong last sequence');
          if ((taken || Date.now() - held.renewedAt > leaseMillis * 0.7) && this.#held.get(shard) === held) {
            this.#held.delete(shard);
            this.#busy.add(shard);
            // In the background: a stop that takes long must not hold up the other renewals.
            void this.#options
              .lost(shard)
              .catch((failure: unknown) => this.#options.onError?.(failure))
              .finally(() => this.#busy.delete(shard));
          }
        }
      }),
    );
  }

  async #release(shard: number): Promise<void> {
    const held = this.#held.get(shard);
    if (held === undefined || this.#busy.has(shard)) return;
    this.#busy.add(shard);
    try {
      await this.#options.release(shard);
    } catch (error) {
      this.#options.onError?.(error);
    } finally {
      this.#held.delete(shard);
      this.#busy.delete(shard);
    }
    await this.#options.kv.delete(`shard.${shard}`, { previousSeq: held.revision }).catch(() => undefined);
  }
}
