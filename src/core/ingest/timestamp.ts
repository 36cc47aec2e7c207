/**
 * ISO-8601 date or date-time (RFC 3339, whose `T` and `Z` may be lowercase); the zone is `Z` or an
 * offset `±hh`, `±hhmm` or `±hh:mm`; a date-time without a zone designator is taken as UTC.
 */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

/** 400 Gregorian years, after which the calendar repeats. */
const CYCLE_MILLIS = 146_097 * 86_400_000;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Epoch milliseconds of a JSON timestamp: a number of milliseconds, a string of digits
 * (milliseconds), or an ISO-8601 string. `undefined` when it is none of these, or names a time
 * that does not exist (February 30th, hour 24, an offset of 25 hours). Fractions of a millisecond
 * are truncated.
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (/^\d{1,16}$/.test(value)) return Number(value);
  const match = ISO_8601.exec(value);
  if (match === null) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4] ?? 0);
  const minute = Number(match[5] ?? 0);
  const second = Number(match[6] ?? 0);
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetHours = Number(match[9] ?? 0);
  const offsetMinutes = Number(match[10] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  // Date.UTC reads the years 0–99 as 1900–1999; shifted by a whole cycle they stay literal.
  const shift = year < 100 ? 400 : 0;
  const utc =
    Date.UTC(year + shift, month - 1, day, hour, minute, second, millis) - (shift / 400) * CYCLE_MILLIS;
  const offset = (offsetHours * 60 + offsetMinutes) * 60_000;
  return match[8] === '-' ? utc + offset : utc - offset;
}
