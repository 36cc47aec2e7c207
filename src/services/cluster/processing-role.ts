import type { JetStreamClient, JetStreamManager, KV } from 'nats';
import { ShardLeases } from '../../adapters/nats/shard-leases.ts';
import { ShardProcessor } from './shard-processor.ts';
import type { ShardProcessorOptions } from './shard-processor.ts';

export interface ProcessingRoleOptions extends ShardProcessorOptions {
  js: JetStreamClient;
  manager: JetStreamManager;
  leasesKv: KV;
  /** Live processors, as ShardLeases needs them. */
  countMembers(): Promise<number | undefined>;
  member: string;
  leaseMillis: number;
  log(line: string): void;
}

/**
 * The `process` role: holds shard leases and runs one ShardProcessor per shard held. Shards move
 * between processors as they join and leave; a moved shard continues from its last commit.
 */
export class ProcessingRole {
  readonly #options: ProcessingRoleOptions;
  readonly #processors = new Map<number, ShardProcessor>();
  readonly #leases: ShardLeases;
  /** The latest start of each shard being started: an earlier one that finishes late stops. */
  readonly #attempts = new Map<number, symbol>();

  constructor(options: ProcessingRoleOptions) {
    this.#options = options;
    this.#leases = new ShardLeases({
      kv: options.leasesKv,
      countMembers: options.countMembers,
      member: options.member,
      shards: options.layout.shards,
      leaseMillis: options.leaseMillis,
      acquire: (shard) => this.#acquire(shard),
      release: (shard) => this.#drop(shard, true),
      lost: (shard) => this.#drop(shard, false),
      onError: (error) => options.onError(error, { operation: 'shard leases' }),
    });
  }

  /** Joins the cluster; rejects when a live processor has the same member id. */
  async start(): Promise<void> {
    if (await this.#leases.memberInUse())
      throw new Error(
        `another processor is running with --member ${this.#options.member} (its heartbeat goes on): every processor needs a --member of its own`,
      );
    this.#leases.start();
  }

  /** Shards held now. */
  owned(): number[] {
    return this.#leases.owned();
  }

  /** Readings handled by the shards held now. */
  handled(): number {
    let total = 0;
    for (const processor of this.#processors.values()) total += processor.handled;
    return total;
  }

  /** Commits and hands every shard back. */
  async stop(): Promise<void> {
    await this.#leases.stop();
  }

  async #acquire(shard: number): Promise<void> {
    const attempt = Symbol(`shard ${shard}`);
    this.#attempts.set(shard, attempt);
    const processor = await this.#start(shard);
    if (this.#attempts.get(shard) !== attempt || !this.#leases.owned().includes(shard)) {
      // The lease was lost or given up while starting (a later take-over of the shard starts anew
      // from the state committed by then): whoever has it now owns the shard.
      await processor.stop(false);
      return;
    }
    this.#attempts.delete(shard);
    this.#processors.set(shard, processor);
    this.#options.log(`shard ${shard}: taken over (${processor.restored} detector states restored)`);
  }

  /** A started processor for the shard. */
  async #start(shard: number): Promise<ShardProcessor> {
    const processor = new ShardProcessor(shard, this.#options);
    await processor.start();
    return processor;
  }

  async #drop(shard: number, commit: boolean): Promise<void> {
    const processor = this.#processors.get(shard);
    this.#processors.delete(shard);
    await processor?.stop(commit);
    this.#options.log(`shard ${shard}: ${commit ? 'handed over' : 'lease lost, stopped'}`);
  }
}
