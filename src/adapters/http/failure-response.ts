import type { Context } from 'hono';

/** Socket and driver codes of a store or engine that cannot be reached (PostgreSQL's class 08 and shutdowns). */
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

const unreachableMessages =
  /Connection terminated|connection timeout|socket hang up|Timeout exceeded when trying to connect/i;

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined || cause === error ? undefined : codeOf(cause);
}

/** Whether `error` says a store or engine this server relies on (PostgreSQL, ClickHouse, NATS) cannot be reached. */
export function isUnreachable(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined && unreachableCodes.has(code)) return true;
  return error instanceof Error && unreachableMessages.test(error.message);
}

/** Whether reading the request failed because the client went away or was cut off. */
export function isAbortedRequest(error: unknown): boolean {
  return error instanceof Error && (error.message === 'aborted' || codeOf(error) === 'ECONNABORTED');
}

/**
 * Logs each distinct failure once a minute at most, with a count of the ones not shown: a store that
 * is down fails every request the same way, and a stack per request would bury everything else.
 */
export class FailureLog {
  readonly #last = new Map<string, { at: number; hidden: number }>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly intervalMillis = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  report(key: string, line: () => string): void {
    const seen = this.#last.get(key);
    const at = this.now();
    if (seen !== undefined && at - seen.at < this.intervalMillis) {
      seen.hidden += 1;
      return;
    }
    const hidden =
      seen === undefined || seen.hidden === 0 ? '' : ` (${seen.hidden} more like it since the last report)`;
    this.#last.set(key, { at, hidden: 0 });
    if (this.#last.size > 1_000) this.#last.clear();
    this.write(`${line()}${hidden}`);
  }
}

/**
 * The answer to an error no route handled: 503 with Retry-After when a store or engine cannot be
 * reached, nothing logged for a client that went away, else 500 with the stack logged (once a
 * minute per distinct message).
 */
export function failureResponse(c: Context, error: unknown, log: FailureLog): Response {
  const where = `${c.req.method} ${c.req.path}`;
  if (isAbortedRequest(error)) return c.json({ error: 'the request body was cut off' }, 400);
  if (isUnreachable(error)) {
    const message = error instanceof Error ? error.message : String(error);
    log.report(
      `unreachable ${message}`,
      () => `urban-brain: ${where}: a store this server needs is unreachable: ${message}`,
    );
    c.header('Retry-After', '5');
    return c.json({ error: `a store this server needs is unreachable, retry later: ${message}` }, 503);
  }
  const message = error instanceof Error ? error.message : String(error);
  log.report(
    `failed ${message}`,
    () => `urban-brain: ${where} failed: ${error instanceof Error ? (error.stack ?? message) : message}`,
  );
  return c.json({ error: 'internal error' }, 500);
}
