/** ISO-8601 date or date-time; a date-time without a zone designator is taken as UTC. */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Epoch milliseconds of a JSON timestamp: a number of milliseconds, a string of digits
 * (milliseconds), or an ISO-8601 string. `undefined` when it is none of these.
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (/^\d{1,16}$/.test(value)) return Number(value);
  const match = ISO_8601.exec(value);
  if (match === null) return undefined;
  let text = value.replace(' ', 'T').replace(',', '.');
  if (match[4] !== undefined && match[8] === undefined) text += 'Z';
  if (match[8] !== undefined && /[+-]\d{4}$/.test(match[8])) text = `${text.slice(0, -2)}:${text.slice(-2)}`;
  const millis = Date.parse(text);
  return Number.isNaN(millis) ? undefined : millis;
}
