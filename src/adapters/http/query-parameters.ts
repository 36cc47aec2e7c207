import type { Context } from 'hono';
import { unknownFields } from '../../core/input-checks.ts';
import { parseBoundingBox, parseTagFilter } from '../../core/registry/filter.ts';
import type { BoundingBox, TagFilter } from '../../ports/registry.ts';

/**
 * The parameters `placeAndTagFilter` reads, which repeat or are counted there: `tag` repeats (every
 * one must hold), a second `bbox` is refused there, saying so.
 */
export const placeAndTagParameters = ['bbox', 'tag'] as const;

/**
 * The error for query parameters a route does not take, naming them and those it does, or for one
 * given more than once that is not `repeatable`; undefined when there are none. A misspelt filter
 * (`?assett=p1`) would otherwise answer as if unfiltered, and a repeated one (`?limit=1&limit=5`)
 * with whichever value the route happened to read.
 */
export function unknownParameters(
  c: Context,
  known: readonly string[],
  repeatable: readonly string[] = [],
): string | undefined {
  const unknown = unknownFields(c.req.query(), known);
  if (unknown.length > 0) {
    const takes = known.length === 0 ? 'it takes none' : `it takes ${known.join(', ')}`;
    return `unknown parameter ${unknown.map((name) => `'${name}'`).join(', ')}: ${takes}`;
  }
  for (const name of known) {
    const given = c.req.queries(name)?.length ?? 0;
    if (given > 1 && !repeatable.includes(name))
      return `parameter '${name}' is given ${given} times: give it once`;
  }
  return undefined;
}

/**
 * A registry list's `bbox=minLon,minLat,maxLon,maxLat` and `tag=key=value` / `tag=key` (repeated:
 * all must hold) filters, or what is wrong with them.
 */
export function placeAndTagFilter(c: Context): { bbox?: BoundingBox; tags?: TagFilter } | string {
  const filter: { bbox?: BoundingBox; tags?: TagFilter } = {};
  const boxes = c.req.queries('bbox') ?? [];
  if (boxes.length > 1) return `bbox: give one box, got ${boxes.length}`;
  if (boxes[0] !== undefined) {
    const box = parseBoundingBox(boxes[0]);
    if (typeof box === 'string') return box;
    filter.bbox = box;
  }
  const tags = c.req.queries('tag');
  if (tags !== undefined) {
    const parsed = parseTagFilter(tags);
    if (typeof parsed === 'string') return parsed;
    filter.tags = parsed;
  }
  return filter;
}
