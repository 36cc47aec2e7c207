import { parseTimestamp } from '../../core/ingest/timestamp.ts';

/** What `parseInstant` accepts, for error messages. */
export const instantRule =
  'epoch milliseconds (0 to 9007199254740991) or an ISO-8601 date or date-time (UTC unless it names a zone) ' +
  'from 1970-01-01T00:00:00Z on';

/**
 * Epoch milliseconds from `1700000000000` or an ISO-8601 date or date-time; a date-time without a
 * zone is UTC, as at ingest. Undefined for anything else (other date formats, a sign, a fraction)
 * and for instants outside 0 … 2^53 − 1.
 */
export function parseInstant(value: string): number | undefined {
  const millis = /^\d+$/.test(value) ? Number(value) : parseTimestamp(value);
  return millis !== undefined && Number.isSafeInteger(millis) && millis >= 0 ? millis : undefined;
}

const unitMillis: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Whole milliseconds from a duration `name`=`value` such as `60000`, `250ms`, `1.5s`, `5m`, `1h` or
 * `1d` (rounded to the millisecond); a message naming the parameter and the rule when it is not one
 * or lies outside 1 ms … 2^53 − 1 ms.
 */
export function parseDuration(name: string, value: string): number | string {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value);
  if (match === null) return `${name}='${value}' is not a duration like 60000, 250ms, 10s, 5m, 1h or 1d`;
  const millis = Number(match[1]) * (unitMillis[match[2] ?? 'ms'] ?? 1);
  if (!(millis >= 1)) return `${name}='${value}' must be at least 1 ms`;
  const rounded = Math.round(millis);
  if (!Number.isSafeInteger(rounded)) return `${name}='${value}' must be at most 9007199254740991 ms`;
  return rounded;
}
