import type { NatsConnection, Subscription as NatsSubscription } from 'nats';
import type { Handler, MessageBus, Subscription, Topic, TopicMessages } from '../../ports/bus.ts';
import { readingArray } from '../../core/readings/reading-batch.ts';
import { decodeReadings, encodeReadings } from './reading-codec.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface NatsBusOptions {
  connection: NatsConnection;
  /** Subjects are `<prefix>.bus.<topic>`. */
  prefix: string;
  onHandlerError?: (error: unknown) => void;
}

/** Batches of readings travel in the JetStream message codec (binary columns), the rest as JSON. */
function encode<T extends Topic>(topic: T, message: TopicMessages[T]): Uint8Array {
  return topic === 'readings'
    ? encodeReadings(readingArray(message as TopicMessages['readings']))
    : encoder.encode(JSON.stringify(message));
}

function decode<T extends Topic>(topic: T, data: Uint8Array): TopicMessages[T] {
  return (topic === 'readings' ? decodeReadings(data) : JSON.parse(decoder.decode(data))) as TopicMessages[T];
}

/**
 * The bus between processes on core NATS (at most once, no persistence): the live stream and
 * events fan out to every API process. Durable readings travel on JetStream, not here.
 */
export class NatsBus implements MessageBus {
  readonly #options: NatsBusOptions;
  readonly #subscriptions = new Set<NatsSubscription>();

  constructor(options: NatsBusOptions) {
    this.#options = options;
  }

  async publish<T extends Topic>(topic: T, message: TopicMessages[T]): Promise<void> {
    if (this.#options.connection.isClosed()) return;
    this.#options.connection.publish(this.#subject(topic), encode(topic, message));
  }

  subscribe<T extends Topic>(topic: T, handler: Handler<T>): Subscription {
    const onError = this.#options.onHandlerError ?? (() => undefined);
    const subscription = this.#options.connection.subscribe(this.#subject(topic), {
      callback: (error, message) => {
        if (error !== null) return onError(error);
        try {
          const result = handler(decode(topic, message.data));
          if (result instanceof Promise) result.catch(onError);
        } catch (failure) {
          onError(failure);
        }
      },
    });
    this.#subscriptions.add(subscription);
    return {
      unsubscribe: () => {
        this.#subscriptions.delete(subscription);
        subscription.unsubscribe();
      },
    };
  }

  /** Ends the subscriptions; the connection belongs to the caller. */
  async close(): Promise<void> {
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
    this.#subscriptions.clear();
  }

  #subject(topic: Topic): string {
    return `${this.#options.prefix}.bus.${topic}`;
  }
}
