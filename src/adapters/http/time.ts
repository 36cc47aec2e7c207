/** Epoch milliseconds from `1700000000000` or an ISO-8601 string; undefined when neither. */
export function parseInstant(value: string): number | undefined {
  if (/^-?\d+$/.test(value)) return Number(value);
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? undefined : millis;
}

const unitMillis: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration in milliseconds from `60000`, `250ms`, `10s`, `5m`, `1h` or `1d`; undefined otherwise. */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value);
  if (match === null) return undefined;
  const millis = Number(match[1]) * (unitMillis[match[2] ?? 'ms'] ?? 1);
  return millis > 0 ? Math.round(millis) : undefined;
}
