import { randomUUID } from 'node:crypto';
import type { Consumer, JetStreamClient, JetStreamManager, JsMsg } from 'nats';
import { AckPolicy, DeliverPolicy } from 'nats';
import type { Reading } from '../../core/readings/reading.ts';
import { decodeReadings } from './reading-codec.ts';
import { readingSubject } from './shards.ts';
import type { StreamLayout } from './shards.ts';

/** A batch handed to the processor: readings of one fetch, and whether some may have been handled before. */
export interface ShardBatch {
  shard: number;
  readings: Reading[];
  /** Readings that an earlier owner (or a failed attempt) may already have stored. */
  suspect: Reading[];
}

export interface ShardConsumerOptions {
  js: JetStreamClient;
  manager: JetStreamManager;
  layout: StreamLayout;
  shard: number;
  /** Stores and processes a batch; rejects to have it retried. */
  handle(batch: ShardBatch): Promise<void>;
  /** Makes the effects of every handled message, up to stream sequence `sequence`, durable. */
  commit(sequence: number): Promise<void>;
  /** Commit at least this often while messages are pending. */
  commitIntervalMillis: number;
  /** Messages per fetch. */
  fetchMessages: number;
  /** Pause before retrying a batch whose handling failed (the store is down, say). */
  retryMillis: number;
  /**
   * Waits, after a failed attempt and before the next, until a write that failed (timed out) can no
   * longer land behind the next attempt's check; rejects while the store is still unreachable.
   */
  settle?: () => Promise<void>;
  /** Least time between checks for messages lost at the end of a fetch (see `#missedTail`). Default 3 s. */
  tailCheckMillis?: number;
  /** Longest wait for the pull loop to end at `stop`. Default 15 s. */
  stopTimeoutMillis?: number;
  onError?: (error: unknown) => void;
}

/**
 * Pulls one shard's readings in stream order from just after `committedSequence` (the last commit
 * of whoever owned the shard before), and never past a message it did not handle: a gap in the
 * consumer's delivery sequence (a fetch cut short, a server lost) restarts the consumer after
 * the last message handled in order. The position lives in the owner's commits, not in the
 * consumer: each take-over makes a fresh single-replica consumer, so no consumer state has to
 * survive a server failure. Messages up to the stream's last sequence at take-over are suspect: a
 * dead owner may have stored them after its last commit.
 */
export class ShardConsumer {
  readonly #options: ShardConsumerOptions;
  readonly #pending: JsMsg[] = [];
  #name = '';
  #suspectUpTo = 0;
  #lastSequence = 0;
  #running: Promise<void> | undefined;
  /** Consumer sequence the next delivery must have: a jump means messages were lost in transit. */
  #expectedDelivery = 1;
  #stopping = false;
  /** 0: the first batch handled after a take-over is committed at once, not a period later. */
  #lastCommit = 0;
  #lastTailCheck = 0;
  /** Readings handled since start. */
  handled = 0;

  constructor(options: ShardConsumerOptions) {
    this.#options = options;
  }

  async start(committedSequence: number): Promise<void> {
    this.#lastSequence = committedSequence;
    const consumer = await this.#prepare();
    this.#running = this.#loop(consumer);
  }

  /** Stops pulling; with `commit`, commits what was handled (a clean hand-over). */
  async stop(commit: boolean): Promise<void> {
    this.#stopping = true;
    // A pull stuck on a stalled server must not hold a hand-over for ever.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finished = await Promise.race([
      this.#running?.then(() => true),
      new Promise<boolean>(
        (resolve) => (timer = setTimeout(() => resolve(false), this.#options.stopTimeoutMillis ?? 15_000)),
      ),
    ]);
    clearTimeout(timer);
    if (commit && finished === true) await this.#commit();
    await this.#options.manager.consumers
      .delete(this.#options.layout.stream, this.#name)
      .catch(() => undefined);
  }

  /** A fresh consumer from just after the last message handled in order. */
  async #prepare(): Promise<Consumer> {
    const { manager, js, layout, shard } = this.#options;
    this.#suspectUpTo = (await manager.streams.info(layout.stream)).state.last_seq;
    this.#expectedDelivery = 1;
    this.#name = `shard-${shard}-${randomUUID().slice(0, 8)}`;
    await manager.consumers.add(layout.stream, {
      durable_name: this.#name,
      filter_subject: readingSubject(layout, shard),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.#lastSequence + 1,
      ack_wait: 60_000_000_000,
      max_ack_pending: 100_000,
      max_deliver: -1,
      num_replicas: 1,
      mem_storage: true,
      // A consumer left behind by a dead owner goes away by itself.
      inactive_threshold: 60_000_000_000,
    });
    return js.consumers.get(layout.stream, this.#name);
  }

  async #loop(first: Consumer): Promise<void> {
    const { fetchMessages, commitIntervalMillis, onError } = this.#options;
    let consumer: Consumer | undefined = first;
    while (!this.#stopping) {
      try {
        consumer ??= await this.#restart();
        const messages: JsMsg[] = [];
        const fetched = await consumer.fetch({ max_messages: fetchMessages, expires: 1_000 });
        for await (const message of fetched) messages.push(message);
        if (!this.#inOrder(messages)) {
          // Something was lost between server and here: never skip past it, start again after the
          // last message handled in order.
          consumer = undefined;
          continue;
        }
        if (messages.length === 0 && (await this.#missedTail(consumer))) {
          consumer = undefined;
          continue;
        }
        if (messages.length > 0) await this.#handle(messages);
        if (this.#pending.length > 0 && Date.now() - this.#lastCommit >= commitIntervalMillis)
          await this.#commit();
      } catch (error) {
        onError?.(error);
        consumer = undefined;
        await new Promise((resolve) => setTimeout(resolve, this.#options.retryMillis));
      }
    }
  }

  /**
   * After an empty fetch (at most every `tailCheckMillis`): whether the server delivered messages
   * this consumer never received. A message lost at the end of a fetch shows as a gap only when a
   * later one arrives; when it was the shard's last, nothing would, and it would come back only
   * after the acknowledgement wait (60 s).
   */
  async #missedTail(consumer: Consumer): Promise<boolean> {
    const now = Date.now();
    if (now - this.#lastTailCheck < (this.#options.tailCheckMillis ?? 3_000)) return false;
    this.#lastTailCheck = now;
    const info = await consumer.info();
    return info.delivered.consumer_seq >= this.#expectedDelivery;
  }

  #inOrder(messages: readonly JsMsg[]): boolean {
    for (const message of messages) {
      if (message.info.deliverySequence !== this.#expectedDelivery) return false;
      this.#expectedDelivery += 1;
    }
    return true;
  }

  async #restart(): Promise<Consumer> {
    await this.#options.manager.consumers
      .delete(this.#options.layout.stream, this.#name)
      .catch(() => undefined);
    return this.#prepare();
  }

  /** Hands the batch over until it succeeds or the consumer stops (then it is left uncommitted). */
  async #handle(messages: JsMsg[]): Promise<void> {
    const batch: ShardBatch = { shard: this.#options.shard, readings: [], suspect: [] };
    const fresh = messages.filter((message) => message.seq > this.#lastSequence);
    for (const message of fresh) {
      const readings = decodeReadings(message.data);
      const target = message.redelivered || message.seq <= this.#suspectUpTo ? batch.suspect : batch.readings;
      for (const reading of readings) target.push(reading);
    }
    for (;;) {
      try {
        await this.#options.handle(batch);
        break;
      } catch (error) {
        this.#options.onError?.(error);
        if (this.#stopping) return;
        // A failed write may still have landed (a timeout): check every reading before writing again.
        if (batch.readings.length > 0) {
          batch.suspect = [...batch.suspect, ...batch.readings];
          batch.readings = [];
        }
        for (const message of messages) message.working();
        await new Promise((resolve) => setTimeout(resolve, this.#options.retryMillis));
        await this.#settle(messages);
      }
    }
    this.handled += batch.readings.length + batch.suspect.length;
    for (const message of messages) {
      this.#pending.push(message);
      if (message.seq > this.#lastSequence) this.#lastSequence = message.seq;
    }
  }

  async #settle(messages: readonly JsMsg[]): Promise<void> {
    const settle = this.#options.settle;
    while (settle !== undefined && !this.#stopping) {
      try {
        await settle();
        return;
      } catch (error) {
        this.#options.onError?.(error);
        for (const message of messages) message.working();
        await new Promise((resolve) => setTimeout(resolve, this.#options.retryMillis));
      }
    }
  }

  async #commit(): Promise<void> {
    if (this.#pending.length === 0) return;
    await this.#options.commit(this.#lastSequence);
    const done = this.#pending.splice(0, this.#pending.length);
    for (const message of done) message.ack();
    this.#lastCommit = Date.now();
  }
}
