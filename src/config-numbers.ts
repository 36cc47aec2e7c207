import { z } from 'zod';
import { parseDecimal } from './core/decimal.ts';

/** Text (a flag or variable) to a number when it is written as one; anything else is left to fail. */
function numeric(text: unknown): unknown {
  return typeof text === 'string' ? (parseDecimal(text.trim()) ?? text) : text;
}

/** A whole number in [min, max], written in decimal digits; the rule is the error message. */
export function wholeNumber(min: number, max?: number) {
  const rule =
    max === undefined ? `must be a whole number ≥ ${min}` : `must be a whole number from ${min} to ${max}`;
  return z.preprocess(
    numeric,
    z
      .number({ error: rule })
      .int({ error: rule })
      .min(min, { error: rule })
      .max(max ?? Number.MAX_SAFE_INTEGER, { error: rule }),
  );
}

/** A decimal number in [min, max]; the rule is the error message. */
export function decimalNumber(min: number, max: number) {
  const rule = `must be a number from ${min} to ${max}`;
  return z.preprocess(numeric, z.number({ error: rule }).min(min, { error: rule }).max(max, { error: rule }));
}
