export interface LogLimiterOptions {
  log(line: string): void;
  /** A message is written at most once per window; repeats are counted and summed up after it. */
  windowMillis: number;
  /** Distinct messages tracked at once; past that the oldest is summed up and forgotten. */
  maxMessages?: number;
  clock?: () => number;
}

interface Held {
  since: number;
  repeats: number;
  /** Where the message came from (e.g. `shard 3`), in first-seen order. */
  sources: Set<string>;
}

/** Up to this many sources are named in a summary; the rest are counted. */
const namedSources = 6;

/**
 * Writes a repeated error once per window instead of once per attempt. The first occurrence of a
 * message is written at once (with its source); repeats within `windowMillis` are only counted, and
 * once the window has passed one line says how many there were and from where. A message that
 * recurs after its window is written again. Call `flush()` periodically (or `start()`), and
 * `stop()` at shutdown to write what is still held.
 */
export class LogLimiter {
  readonly #options: Required<LogLimiterOptions>;
  readonly #held = new Map<string, Held>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LogLimiterOptions) {
    if (!(options.windowMillis > 0)) throw new RangeError('windowMillis must be positive');
    this.#options = { maxMessages: 1_000, clock: Date.now, ...options };
  }

  /** `message` is what identifies a repeat; `source` says where this one came from. */
  write(message: string, source?: string): void {
    const now = this.#options.clock();
    const held = this.#held.get(message);
    if (held !== undefined && now - held.since < this.#options.windowMillis) {
      held.repeats += 1;
      if (source !== undefined) held.sources.add(source);
      return;
    }
    if (held !== undefined) this.#summarise(message, held);
    else if (this.#held.size >= this.#options.maxMessages) this.#forgetOldest();
    this.#held.set(message, {
      since: now,
      repeats: 0,
      sources: new Set(source === undefined ? [] : [source]),
    });
    this.#options.log(source === undefined ? message : `${source}: ${message}`);
  }

  /** Sums up the messages whose window has passed. */
  flush(): void {
    const now = this.#options.clock();
    for (const [message, held] of this.#held) {
      if (now - held.since < this.#options.windowMillis) continue;
      this.#summarise(message, held);
      this.#held.delete(message);
    }
  }

  start(): void {
    this.#timer ??= setInterval(() => this.flush(), Math.min(this.#options.windowMillis, 10_000));
    this.#timer.unref();
  }

  /** Writes every summary still held. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const [message, held] of this.#held) this.#summarise(message, held);
    this.#held.clear();
  }

  #summarise(message: string, held: Held): void {
    if (held.repeats === 0) return;
    const seconds = Math.round((this.#options.clock() - held.since) / 1_000);
    const names = [...held.sources];
    const from =
      names.length === 0
        ? ''
        : ` from ${names.slice(0, namedSources).join(', ')}` +
          (names.length > namedSources ? ` and ${names.length - namedSources} more` : '');
    const times = held.repeats === 1 ? 'time' : 'times';
    this.#options.log(`repeated ${held.repeats} more ${times} in ${seconds} s${from}: ${message}`);
  }

  #forgetOldest(): void {
    const [message, held] = this.#held.entries().next().value as [string, Held];
    this.#summarise(message, held);
    this.#held.delete(message);
  }
}
