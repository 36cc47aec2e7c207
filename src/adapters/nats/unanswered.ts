/** How long one read may wait for its answer, and how often it is sent. */
export interface PatienceOptions {
  timeoutMillis: number;
  attempts: number;
}

/** 2 s a request, 10 times: at most the 20 s one request of the cluster's clients may wait. */
export const defaultPatience: PatienceOptions = { timeoutMillis: 2_000, attempts: 10 };

/** A read that got no answer in time (the read itself may still be on its way). */
export class Unanswered extends Error {
  constructor(what: string, millis: number, attempts: number) {
    super(`${what}: no answer within ${millis} ms, ${attempts} times`);
    this.name = 'Unanswered';
  }
}

/** `within`'s failure: the work had not settled by its deadline. */
class NoAnswer extends Error {}

/** Rejects after `millis` if `work` has not settled (the work itself goes on; its own failure is then ignored). */
export function within<T>(work: Promise<T>, millis: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswer(`${what}: no answer within ${millis} ms`)), millis);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function isTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'TIMEOUT';
}

/**
 * Runs an idempotent JetStream read, sent again each time it gets no answer within
 * `timeoutMillis`. A request reaching a stream that has no leader (just created, or electing one
 * after a server was lost) is never answered: without this it waits the client's whole timeout
 * (a new cluster's processors each waited 20 s before reading their first snapshot). Any other
 * failure is thrown at once.
 */
export async function readPatiently<T>(
  what: string,
  read: () => Promise<T>,
  patience: PatienceOptions = defaultPatience,
): Promise<T> {
  const { timeoutMillis, attempts } = patience;
  if (!(timeoutMillis > 0) || !(Number.isInteger(attempts) && attempts >= 1))
    throw new RangeError(
      `patience: timeoutMillis ${timeoutMillis} > 0 and attempts ${attempts} ≥ 1 must hold`,
    );
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await within(read(), timeoutMillis, what);
    } catch (error) {
      if (!(error instanceof NoAnswer) && !isTimeout(error)) throw error;
      if (attempt >= attempts) throw new Unanswered(what, timeoutMillis, attempts);
    }
  }
}
