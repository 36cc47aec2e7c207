/**
 * A steady stream of readings into the ingest processes, for the fault test and the benchmark.
 * Reading number i is sensor `<prefix>-(i mod sensors)` at `startMillis + floor(i / sensors) * stepMillis`:
 * the readings sent are exactly numbers 0 … sent-1, so what must be in the store is known. A batch is
 * re-sent (to the next ingest process) until acknowledged, so every batch ends up acknowledged once;
 * one refused for good (a 4xx other than 408 and 429) ends the stream with an error.
 */
export interface LoadOptions {
  urls: readonly string[];
  key: string;
  prefix: string;
  sensors: number;
  startMillis: number;
  stepMillis: number;
  batchReadings: number;
  /** Batches in flight at once. */
  concurrency: number;
  totalReadings: number;
  /** Pace: at most this many readings per second are sent (undefined: as fast as acknowledged). */
  maxReadingsPerSecond?: number;
  /**
   * Builds every batch body before the clock starts (a benchmark: the bodies' building is then not
   * done on the machine's cores while the cluster runs). Default: each body just before it is sent.
   */
  prebuild?: boolean;
  /** Value of reading `round` of sensor `sensor` (anomalies can be planted here). */
  value?: (sensor: number, round: number) => number;
  signal?: AbortSignal;
}

export interface LoadProgress {
  acknowledged: number;
  /** Failed attempts that were sent again (connection refused, 429, 503 …). */
  retries: number;
  /** When given: the first reading number of each batch, in the order the batches were acknowledged. */
  acknowledgedOrder?: number[];
}

export interface LoadResult extends LoadProgress {
  /** `performance.now()` when the first batch went out (after any prebuilding). */
  startedMillis: number;
  elapsedMillis: number;
}

function defaultValue(sensor: number, round: number): number {
  return (
    Math.round(
      (20 + 5 * Math.sin((round + sensor) / 30) + ((sensor * 7919 + round * 104729) % 100) / 100) * 1000,
    ) / 1000
  );
}

function batchBody(options: LoadOptions, first: number, count: number): string {
  const value = options.value ?? defaultValue;
  const parts: string[] = [];
  for (let index = first; index < first + count; index += 1) {
    const sensor = index % options.sensors;
    const round = Math.floor(index / options.sensors);
    parts.push(
      `{"sensor":"${options.prefix}-${sensor}","ts":${options.startMillis + round * options.stepMillis},"value":${value(sensor, round)}}`,
    );
  }
  return `[${parts.join(',')}]`;
}

/** Client errors worth sending again: a timeout and too many requests (the others never pass). */
const retriedStatuses = new Set([408, 429]);

/** A batch refused for good (a wrong key, an invalid body): the stream stops instead of retrying for ever. */
export class LoadRefused extends Error {
  override name = 'LoadRefused';
}

/**
 * Runs the stream to `totalReadings` (or until aborted: then in-flight batches finish). Failed sends
 * (no connection, 5xx, 408, 429) are retried; another 4xx rejects with `LoadRefused`.
 */
export async function runLoad(
  options: LoadOptions,
  progress: LoadProgress = { acknowledged: 0, retries: 0 },
): Promise<LoadResult> {
  /** Readings in the batch that starts with reading `first`. */
  const countFrom = (first: number): number => Math.min(options.batchReadings, options.totalReadings - first);
  const built = new Map<number, string>();
  if (options.prebuild === true) {
    for (let first = 0; first < options.totalReadings; first += options.batchReadings)
      built.set(first, batchBody(options, first, countFrom(first)));
  }
  const started = performance.now();
  let next = 0;
  let target = 0;
  /** Set once a batch is refused for good: the other workers send no more. */
  let refused = false;
  async function sendUntilAcknowledged(body: string, first: number, count: number): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      const url = options.urls[(target + attempt) % options.urls.length]!;
      try {
        const response = await fetch(`${url}/api/v1/readings`, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.key}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        if (response.ok) {
          progress.acknowledged += count;
          progress.acknowledgedOrder?.push(first);
          return;
        }
        // A refused key or body is refused again however often it is sent: stop and say so.
        if (response.status >= 400 && response.status < 500 && !retriedStatuses.has(response.status))
          throw new LoadRefused(`${url}/api/v1/readings answered ${response.status}: ${text.slice(0, 200)}`);
      } catch (error) {
        if (error instanceof LoadRefused) {
          refused = true;
          throw error;
        }
        // the process is down or slow: send again
      }
      if (refused) return;
      progress.retries += 1;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * (attempt + 1))));
    }
  }
  async function worker(): Promise<void> {
    while (next < options.totalReadings && options.signal?.aborted !== true && !refused) {
      const first = next;
      const count = countFrom(first);
      next += count;
      if (options.maxReadingsPerSecond !== undefined) {
        const due = started + (first / options.maxReadingsPerSecond) * 1_000 - performance.now();
        if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      }
      target += 1;
      const body = built.get(first) ?? batchBody(options, first, count);
      built.delete(first);
      await sendUntilAcknowledged(body, first, count);
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  return { ...progress, startedMillis: started, elapsedMillis: performance.now() - started };
}
