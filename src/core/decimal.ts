const plain = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const withExponent = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * A decimal number written as text: `52.37`, `-4`, `.5` (and `1e-1` when `exponent` is allowed);
 * undefined for empty or blank text, hex, `Infinity` and every other notation `Number()` would
 * also accept.
 */
export function parseDecimal(text: string, options: { exponent?: boolean } = {}): number | undefined {
  return (options.exponent === true ? withExponent : plain).test(text) ? Number(text) : undefined;
}
