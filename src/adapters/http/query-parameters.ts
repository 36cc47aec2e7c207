import type { Context } from 'hono';
import { unknownFields } from '../../core/input-checks.ts';

/**
 * The error for query parameters a route does not take, naming them and those it does; undefined
 * when there are none. A misspelt filter (`?assett=p1`) would otherwise answer as if unfiltered.
 */
export function unknownParameters(c: Context, known: readonly string[]): string | undefined {
  const unknown = unknownFields(c.req.query(), known);
  if (unknown.length === 0) return undefined;
  const takes = known.length === 0 ? 'it takes none' : `it takes ${known.join(', ')}`;
  return `unknown parameter ${unknown.map((name) => `'${name}'`).join(', ')}: ${takes}`;
}
