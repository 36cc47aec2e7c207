import type { Asset, Sensor } from './types.ts';

/**
 * The sensors whose id, kind, asset id or asset name contain every word of `query` (any case), in
 * id order, at most `limit` of them, with the count of all matches.
 */
export function findSensors(
  sensors: Sensor[],
  assets: Map<string, Asset>,
  query: string,
  limit: number,
): { matches: Sensor[]; total: number } {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '');
  if (words.length === 0) return { matches: [], total: 0 };
  const found = sensors.filter((sensor) => {
    const asset = assets.get(sensor.asset ?? '');
    const text = `${sensor.id} ${sensor.kind} ${sensor.asset ?? ''} ${asset?.name ?? ''}`.toLowerCase();
    return words.every((word) => text.includes(word));
  });
  found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { matches: found.slice(0, limit), total: found.length };
}
