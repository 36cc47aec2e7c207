const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses `YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][Z|±HH:MM]` (no zone means UTC, as in NAB) or a plain
 * epoch number (seconds below 1e11, else milliseconds). Returns epoch milliseconds, or undefined for
 * anything else, a date that is not in the calendar (2024-02-30) or a time past 23:59:59.
 */
export function parseTimestampMillis(text: string): number | undefined {
  const trimmed = text.trim();
  const match = DATE_TIME.exec(trimmed);
  if (match === null) {
    if (!/^\d+(\.\d+)?$/.test(trimmed)) return undefined;
    const epoch = Number(trimmed);
    return epoch < 1e11 ? epoch * 1000 : epoch;
  }
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000 + 1e-6);
  const base = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour ?? 0),
    Number(minute ?? 0),
    Number(second ?? 0),
    millis,
  );
  // Date.UTC rolls 2024-02-30 over to March 1st and 25:00 to the next day: refuse those instead.
  const date = new Date(base);
  if (
    !Number.isFinite(base) ||
    date.getUTCFullYear() !== Number(year) ||
    date.getUTCMonth() !== Number(month) - 1 ||
    date.getUTCDate() !== Number(day) ||
    date.getUTCHours() !== Number(hour ?? 0) ||
    date.getUTCMinutes() !== Number(minute ?? 0) ||
    date.getUTCSeconds() !== Number(second ?? 0)
  )
    return undefined;
  return base - zoneOffsetMillis(zone);
}

function zoneOffsetMillis(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}
