import type { ReadingBatch } from '../core/readings/reading-batch.ts';

/** An event raised by a detector or a service (alert, work order change …), shown on the live stream. */
export interface BusEvent {
  type: string;
  ts: number;
  sensor?: string;
  asset?: string;
  data: Record<string, unknown>;
}

/** Topics and what they carry. Subjects of a NATS JetStream adapter would be `urban-brain.<topic>`. */
export interface TopicMessages {
  /**
   * Readings already durable in the store, in the batches they were accepted in; in process, with
   * their sensors' store keys when the edge has them (`ReadingBatch`).
   */
  readings: ReadingBatch;
  events: BusEvent;
}

export type Topic = keyof TopicMessages;

export type Handler<T extends Topic> = (message: TopicMessages[T]) => void | Promise<void>;

export interface Subscription {
  unsubscribe(): void;
}

/**
 * Publish/subscribe between the ingest edge and its consumers (live stream, detectors).
 * `publish` resolves once the message is handed to the bus (for a persistent bus: stored by it);
 * handlers run after, and a failing handler never affects the publisher or other handlers.
 */
export interface MessageBus {
  publish<T extends Topic>(topic: T, message: TopicMessages[T]): Promise<void>;
  subscribe<T extends Topic>(topic: T, handler: Handler<T>): Subscription;
  close(): Promise<void>;
}
