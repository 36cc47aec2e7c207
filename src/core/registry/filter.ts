import { parseDecimal } from '../decimal.ts';
import type { Tags } from './asset.ts';

/** A rectangle in WGS 84 degrees. */
export interface BoundingBox {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

/** `minLon,minLat,maxLon,maxLat` in WGS 84 degrees, or what is wrong with it. */
export function parseBoundingBox(text: string): BoundingBox | string {
  const rule = `bbox='${text}' must be minLon,minLat,maxLon,maxLat in degrees`;
  const parts = text.split(',');
  if (parts.length !== 4) return `${rule}: it has ${parts.length} part${parts.length === 1 ? '' : 's'}`;
  const numbers = parts.map((part) => parseDecimal(part.trim()) ?? NaN);
  const bad = numbers.findIndex((n) => !Number.isFinite(n));
  if (bad >= 0) return `${rule}: '${parts[bad]}' is not a decimal number`;
  const [minLon, minLat, maxLon, maxLat] = numbers as [number, number, number, number];
  if ([minLon, maxLon].some((lon) => lon < -180 || lon > 180)) return `${rule}: longitudes lie in −180…180`;
  if ([minLat, maxLat].some((lat) => lat < -90 || lat > 90)) return `${rule}: latitudes lie in −90…90`;
  if (minLon > maxLon || minLat > maxLat) return `${rule}: each minimum must not exceed its maximum`;
  return { minLon, minLat, maxLon, maxLat };
}

/** Tags an entry must all carry: each key with the value given, or with any value when it is null. */
export type TagFilter = readonly { key: string; value: string | null }[];

/** Whether (lat, lon) is a position inside `box`, edges included. */
export function inBox(box: BoundingBox, lat: number | null, lon: number | null): boolean {
  return (
    lat !== null &&
    lon !== null &&
    lon >= box.minLon &&
    lon <= box.maxLon &&
    lat >= box.minLat &&
    lat <= box.maxLat
  );
}

/** Whether `tags` carries every tag of the filter. */
export function hasTags(tags: Tags, filter: TagFilter | undefined): boolean {
  if (filter === undefined) return true;
  for (const { key, value } of filter) {
    if (!Object.hasOwn(tags, key)) return false;
    if (value !== null && tags[key] !== value) return false;
  }
  return true;
}

/** The RFC 6901 JSON pointer to a top-level key (`~` and `/` escaped), as DuckDB's JSON functions take it. */
export function jsonPointer(key: string): string {
  return `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/** At most this many `tag` conditions in one list call. */
export const maxTagConditions = 16;

/**
 * `tag` query values, `key=value` (that value) or `key` (any value), all to hold; or what is wrong
 * with them. The value is everything after the first `=`, so it may hold `=` itself.
 */
export function parseTagFilter(values: readonly string[]): TagFilter | string {
  if (values.length > maxTagConditions)
    return `tag: at most ${maxTagConditions} tag conditions, got ${values.length}`;
  const filter: { key: string; value: string | null }[] = [];
  for (const text of values) {
    const at = text.indexOf('=');
    const key = at < 0 ? text : text.slice(0, at);
    if (key.trim() === '')
      return `tag='${text}' must be key=value (that value) or key (any value), with a key`;
    filter.push({ key, value: at < 0 ? null : text.slice(at + 1) });
  }
  return filter;
}
