import type { LogLimiter } from '../../services/logging/log-limiter.ts';
import type { Context } from 'hono';
import { describeError } from '../../core/describe-error.ts';

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

/**
 * ClickHouse error codes of a server that answers but lacks what this one was configured to use:
 * unknown table (60) or database (81, a misspelt `--clickhouse-database`), a user or password
 * refused (192–195, 516). No request can cure them, so they are an outage of the engine, not
 * internal errors.
 */
const clickHouseSetupCodes = new Set(['60', '81', '192', '193', '194', '195', '516']);

/** A ClickHouse server error: its code, its type's name when the client parsed it, what it says. */
interface ClickHouseFailure {
  code: string;
  type: string | undefined;
  message: string;
}

/**
 * `error` as a ClickHouse server error, or undefined. The client parses newer servers' answers
 * into `code` and `type`; an older server's stays in the message
 * (`Code: 81, e.displayText() = DB::Exception: Database x doesn't exist, e.what() = DB::Exception`).
 */
function clickHouseFailure(error: object): ClickHouseFailure | undefined {
  const { code, type, message } = error as { code?: unknown; type?: unknown; message?: unknown };
  if (typeof message !== 'string') return undefined;
  if (typeof code === 'string' && typeof type === 'string') return { code, type, message: message.trim() };
  const old = /^Code: (\d+), e\.displayText\(\) = DB::Exception: (.*?)(?:, e\.what\(\) = .*)?$/s.exec(
    message,
  );
  return old === null ? undefined : { code: old[1]!, type: undefined, message: old[2]!.trim() };
}

/** The ClickHouse setup failure in `error` or its causes. */
export function clickHouseSetupFailure(error: unknown): ClickHouseFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const failure = clickHouseFailure(error);
  if (failure !== undefined && clickHouseSetupCodes.has(failure.code)) return failure;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined || cause === error ? undefined : clickHouseSetupFailure(cause);
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
 * The answer to an error no route handled: 503 with Retry-After when a store or engine cannot be
 * reached or ClickHouse lacks what this server was configured to use, nothing logged for a client that went away, else 500 with the stack logged; `log`
 * writes each distinct failure once a minute and sums up the repeats.
 */
export function failureResponse(c: Context, error: unknown, log: LogLimiter): Response {
  const where = `${c.req.method} ${c.req.path}`;
  if (isAbortedRequest(error)) return c.json({ error: 'the request body was cut off' }, 400);
  const message = describeError(error);
  const setup = clickHouseSetupFailure(error);
  if (setup !== undefined) {
    const kind = setup.type === undefined ? `code ${setup.code}` : `code ${setup.code}, ${setup.type}`;
    const problem = `ClickHouse cannot serve this server's queries: ${setup.message} (${kind})`;
    log.write(problem, where);
    c.header('Retry-After', '5');
    return c.json({ error: `${problem}; retry later` }, 503);
  }
  if (isUnreachable(error)) {
    log.write(`a store this server needs is unreachable: ${message}`, where);
    c.header('Retry-After', '5');
    return c.json({ error: `a store this server needs is unreachable, retry later: ${message}` }, 503);
  }
  log.write(`failed: ${error instanceof Error ? (error.stack ?? message) : message}`, where);
  return c.json({ error: 'internal error' }, 500);
}
