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
  /** Readings from messages that an earlier owner may have handled without committing (a crash). */
  suspect: Reading[];
}

export interface ShardConsumerOptions {
  js: JetStreamClient;
  manager: JetStreamManager;
  layout: StreamLayout;
  shard: number;
  /** Stores and processes a batch; rejects to have it retried (nothing is acknowledged then). */
  handle(batch: ShardBatch): Promise<void>;
  /** Makes the effects of every handled batch durable (detector snapshot); messages are acked after it. */
  commit(): Promise<void>;
  /** Commit at least this often while messages are pending. */
  commitIntervalMillis: number;
  /** Messages per fetch. */
  fetchMessages: number;
  /** Pause before retrying a batch whose handling failed (the store is down, say). */
  retryMillis: number;
  /** Longest wait for the pull loop to end at `stop`. Default 15 s. */
  stopTimeoutMillis?: number;
  onError?: (error: unknown) => void;
}

/** Durable consumer name of a shard: whoever owns the shard pulls from it. */
export function consumerName(shard: number): string {
  return `shard-${shard}`;
}

/**
 * Pulls one shard's readings in stream order and acknowledges them only after `commit`, so what was
 * not committed is delivered again. On start it recreates the shard's durable consumer at its ack
 * floor: the new owner gets the uncommitted messages of a dead owner at once and in order, and
 * marks as suspect those the dead owner had been delivered (their readings may already be stored).
 */
export class ShardConsumer {
  readonly #options: ShardConsumerOptions;
  readonly #pending: JsMsg[] = [];
  #suspectUpTo = 0;
  #running: Promise<void> | undefined;
  #stopping = false;
  #lastCommit = Date.now();
  /** Readings handled since start. */
  handled = 0;

  constructor(options: ShardConsumerOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    const consumer = await this.#prepare();
    this.#running = this.#loop(consumer);
  }

  /** Stops pulling; with `commit`, commits and acknowledges what was handled (a clean hand-over). */
  async stop(commit: boolean): Promise<void> {
    this.#stopping = true;
    // A pull stuck on a stalled server must not hold a hand-over for ever: unacknowledged messages
    // are delivered again to the next owner anyway.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finished = await Promise.race([
      this.#running?.then(() => true),
      new Promise<boolean>(
        (resolve) => (timer = setTimeout(() => resolve(false), this.#options.stopTimeoutMillis ?? 15_000)),
      ),
    ]);
    clearTimeout(timer);
    if (commit && finished === true) await this.#commit();
  }

  async #prepare(): Promise<Consumer> {
    const { manager, js, layout, shard } = this.#options;
    const name = consumerName(shard);
    let startSequence = 1;
    try {
      const info = await manager.consumers.info(layout.stream, name);
      this.#suspectUpTo = info.delivered.stream_seq;
      startSequence = info.ack_floor.stream_seq + 1;
      await manager.consumers.delete(layout.stream, name);
    } catch {
      // first owner ever: start at the beginning of the stream
    }
    await manager.consumers.add(layout.stream, {
      durable_name: name,
      filter_subject: readingSubject(layout, shard),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: startSequence > 1 ? DeliverPolicy.StartSequence : DeliverPolicy.All,
      ...(startSequence > 1 ? { opt_start_seq: startSequence } : {}),
      ack_wait: 30_000_000_000,
      max_ack_pending: 100_000,
      max_deliver: -1,
    });
    return js.consumers.get(layout.stream, name);
  }

  async #loop(consumer: Consumer): Promise<void> {
    const { fetchMessages, commitIntervalMillis, onError } = this.#options;
    while (!this.#stopping) {
      try {
        const messages: JsMsg[] = [];
        const fetched = await consumer.fetch({ max_messages: fetchMessages, expires: 1_000 });
        for await (const message of fetched) messages.push(message);
        if (messages.length > 0) await this.#handle(messages);
        if (this.#pending.length > 0 && Date.now() - this.#lastCommit >= commitIntervalMillis)
          await this.#commit();
      } catch (error) {
        onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, this.#options.retryMillis));
      }
    }
  }

  /** Hands the batch over until it succeeds or the consumer stops (then it is left unacknowledged). */
  async #handle(messages: JsMsg[]): Promise<void> {
    const batch: ShardBatch = { shard: this.#options.shard, readings: [], suspect: [] };
    for (const message of messages) {
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
      }
    }
    this.handled += batch.readings.length + batch.suspect.length;
    for (const message of messages) this.#pending.push(message);
  }

  async #commit(): Promise<void> {
    if (this.#pending.length === 0) return;
    await this.#options.commit();
    const done = this.#pending.splice(0, this.#pending.length);
    for (const message of done) message.ack();
    this.#lastCommit = Date.now();
  }
}
