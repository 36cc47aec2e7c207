import type { Handler, MessageBus, Subscription, Topic, TopicMessages } from '../../ports/bus.ts';

/**
 * The in-process bus: `publish` resolves at once and handlers run on a later turn of the event
 * loop (so a publisher's own reply is not held up by them), in subscription order.
 * A handler that throws or rejects is reported to `onHandlerError` and does not stop the others.
 */
export class MemoryBus implements MessageBus {
  readonly #handlers = new Map<Topic, Set<Handler<Topic>>>();
  readonly #onHandlerError: (error: unknown) => void;
  #closed = false;

  constructor(options: { onHandlerError?: (error: unknown) => void } = {}) {
    this.#onHandlerError = options.onHandlerError ?? (() => undefined);
  }

  async publish<T extends Topic>(topic: T, message: TopicMessages[T]): Promise<void> {
    if (this.#closed) return;
    const handlers = this.#handlers.get(topic);
    if (handlers === undefined || handlers.size === 0) return;
    const targets = [...handlers] as Handler<T>[];
    setImmediate(() => {
      for (const handler of targets) {
        try {
          const result = handler(message);
          if (result instanceof Promise) result.catch(this.#onHandlerError);
        } catch (error) {
          this.#onHandlerError(error);
        }
      }
    });
  }

  subscribe<T extends Topic>(topic: T, handler: Handler<T>): Subscription {
    let handlers = this.#handlers.get(topic);
    if (handlers === undefined) {
      handlers = new Set();
      this.#handlers.set(topic, handlers);
    }
    const entry = handler as Handler<Topic>;
    handlers.add(entry);
    return { unsubscribe: () => handlers.delete(entry) };
  }

  /** Number of handlers on a topic (the publisher can skip building messages nobody reads). */
  subscriberCount(topic: Topic): number {
    return this.#handlers.get(topic)?.size ?? 0;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#handlers.clear();
  }
}
