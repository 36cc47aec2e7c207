/** Number syntax of InfluxDB line protocol field values, checked as InfluxDB checks it. */

const ZERO = 48;
const NINE = 57;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const LOWER_E = 101;
const UPPER_E = 69;

/** Largest magnitudes of 64-bit integers, as digit strings (compared as strings of equal length). */
const INTEGER_MAX = '9223372036854775807';
const INTEGER_MIN_MAGNITUDE = '9223372036854775808';
const UNSIGNED_MAX = '18446744073709551615';

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

/**
 * Whether `text[start, end)` is a float field value: `-?(digits[.digits] | .digits)` with an
 * optional exponent `e[+-]digits`. Unlike `Number()` it refuses `0x10`, `0b11`, `0o7`, `+1`,
 * `Infinity` and surrounding spaces, which InfluxDB refuses too.
 */
export function isFloatText(text: string, start: number, end: number): boolean {
  let position = start;
  if (position < end && text.charCodeAt(position) === MINUS) position++;
  let digits = 0;
  let dot = false;
  for (; position < end; position++) {
    const code = text.charCodeAt(position);
    if (isDigit(code)) digits++;
    else if (code === DOT && !dot) dot = true;
    else break;
  }
  if (digits === 0) return false;
  if (position === end) return true;
  const exponent = text.charCodeAt(position);
  if (exponent !== LOWER_E && exponent !== UPPER_E) return false;
  position++;
  const sign = text.charCodeAt(position);
  if (sign === PLUS || sign === MINUS) position++;
  if (position === end) return false;
  for (; position < end; position++) if (!isDigit(text.charCodeAt(position))) return false;
  return true;
}

/**
 * Whether `text[start, end)` (the value without its `i` or `u`) is a 64-bit integer: digits with
 * an optional leading minus when `signed`, none for unsigned, within -2^63..2^63-1 or 0..2^64-1.
 */
export function isIntegerText(text: string, start: number, end: number, signed: boolean): boolean {
  let position = start;
  const negative = signed && position < end && text.charCodeAt(position) === MINUS;
  if (negative) position++;
  if (position === end) return false;
  for (let at = position; at < end; at++) if (!isDigit(text.charCodeAt(at))) return false;
  while (position < end - 1 && text.charCodeAt(position) === ZERO) position++;
  const limit = !signed ? UNSIGNED_MAX : negative ? INTEGER_MIN_MAGNITUDE : INTEGER_MAX;
  const digits = end - position;
  return digits < limit.length || (digits === limit.length && text.slice(position, end) <= limit);
}

/** Exact powers of ten as doubles (10^22 is the largest a double holds exactly). */
const EXACT_POWERS = Array.from({ length: 23 }, (_, exponent) => 10 ** exponent);

/**
 * Writes into `into[at]` the value of a plain decimal `-?digits[.digits]` of at most 15 digits,
 * computed without making a string, and returns true; for any other text returns false and writes
 * nothing (the caller then falls back to `Number()`). The value equals
 * `Number(text.slice(start, end))`: the digits form an integer below 2^53 and the divisor is an
 * exact power of ten, so the one division is correctly rounded, as `Number()` is. Written into a
 * typed array, the number is never boxed, where one returned from a call not inlined is an object
 * of its own, made per reading on the parser's path.
 */
export function plainDecimalInto(
  text: string,
  start: number,
  end: number,
  into: Float64Array,
  at: number,
): boolean {
  let position = start;
  const negative = position < end && text.charCodeAt(position) === MINUS;
  if (negative) position++;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; position < end; position++) {
    const code = text.charCodeAt(position);
    if (isDigit(code)) {
      mantissa = mantissa * 10 + (code - ZERO);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (code === DOT && fraction < 0) fraction = 0;
    else return false;
  }
  if (digits === 0 || digits > 15) return false;
  const value = fraction > 0 ? mantissa / (EXACT_POWERS[fraction] as number) : mantissa;
  into[at] = negative ? -value : value;
  return true;
}
