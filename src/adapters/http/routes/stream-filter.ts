import type { BusEvent } from '../../../ports/bus.ts';
import type { Registry } from '../../../ports/registry.ts';
import { checkStreamRequest, type StreamRequest } from './stream-request.ts';

/** Page size for reading every asset in a bbox, and every sensor under an asset filter. */
const pageSize = 10_000;

/** Every item of a paged listing, page after page. */
async function everyPage<T>(read: (page: { limit: number; offset: number }) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await read({ limit: pageSize, offset });
    all.push(...page);
    if (page.length < pageSize) return all;
  }
}

/**
 * What a live-stream client asked for. Readings pass by sensor; events pass by their sensor, or,
 * for events about a whole asset (work orders, signal phases, patients), by their asset.
 * `null` sets pass everything.
 */
export interface StreamFilter {
  sensors: Set<string> | null;
  assets: Set<string> | null;
}

export type FilterProblem = { status: 400 | 404; error: string };

export function passesReading(filter: StreamFilter, sensor: string): boolean {
  return filter.sensors === null || filter.sensors.has(sensor);
}

export function passesEvent(filter: StreamFilter, event: BusEvent): boolean {
  if (event.sensor !== undefined) return passesReading(filter, event.sensor);
  if (filter.assets === null) return filter.sensors === null;
  return event.asset !== undefined && filter.assets.has(event.asset);
}

function intersect(current: Set<string> | null, next: Iterable<string>): Set<string> {
  const set = new Set(next);
  return current === null ? set : new Set([...current].filter((id) => set.has(id)));
}

/**
 * Resolves what a client asks for (`stream-request.ts`) into the sensors and assets whose messages
 * pass. An empty asset or a malformed box is a 400, an asset that does not exist a 404: all checked
 * before the sensors are looked up (in one registry read). Sensors need not exist yet: with
 * auto-registration a client may wait for a sensor's first reading.
 */
export async function resolveStreamFilter(
  registry: Registry,
  request: StreamRequest,
): Promise<StreamFilter | FilterProblem> {
  const check = checkStreamRequest(request);
  if ('error' in check) return check;
  const { box } = check;
  const { asset } = request;
  if (asset !== undefined && (await registry.getAsset(asset)) === undefined)
    return { status: 404, error: `no asset '${asset}'` };
  let sensors: Set<string> | null = null;
  let assets: Set<string> | null = null;
  if (request.sensors !== undefined) {
    sensors = intersect(sensors, request.sensors);
    const owners = await registry.getSensors(request.sensors);
    assets = intersect(
      assets,
      owners.flatMap((sensor) => (sensor.asset === null ? [] : [sensor.asset])),
    );
  }
  if (asset !== undefined) {
    const owned = await everyPage((page) => registry.listSensors({ asset, ...page }));
    sensors = intersect(
      sensors,
      owned.map((sensor) => sensor.id),
    );
    assets = intersect(assets, [asset]);
  }
  if (box !== undefined) {
    sensors = intersect(sensors, await registry.sensorsWithin(box));
    const placed = await everyPage((page) => registry.listAssets({ ...page, bbox: box }));
    assets = intersect(
      assets,
      placed.map((asset) => asset.id),
    );
  }
  return { sensors, assets };
}
