import type { Api } from './api.ts';
import type { Asset, CityMap, Sensor } from './types.ts';

const pageSize = 10_000;

/** Every item of a paged registry listing; after a full first page, the next pages are fetched three at a time. */
async function all<T>(api: Api, path: string, field: 'sensors' | 'assets'): Promise<T[]> {
  const page = async (offset: number): Promise<T[]> =>
    (await api.get<Record<string, T[]>>(`${path}?limit=${pageSize}&offset=${offset}`))[field] ?? [];
  const items = await page(0);
  for (let offset = pageSize; items.length === offset; offset += 3 * pageSize) {
    const pages = await Promise.all([0, 1, 2].map((slot) => page(offset + slot * pageSize)));
    for (const batch of pages) items.push(...batch);
  }
  return items;
}

export function loadSensors(api: Api): Promise<Sensor[]> {
  return all<Sensor>(api, '/api/v1/sensors', 'sensors');
}

export function loadAssets(api: Api): Promise<Asset[]> {
  return all<Asset>(api, '/api/v1/assets', 'assets');
}

/** The road map, or null when the platform has none (a city without demo geometry). */
export async function loadMap(api: Api): Promise<CityMap | null> {
  try {
    return await api.get<CityMap>('/api/v1/map');
  } catch {
    return null;
  }
}

export async function loadLatest(
  api: Api,
  sensors: string[],
): Promise<Record<string, { ts: number; value: number }>> {
  if (sensors.length === 0) return {};
  const answer = await api.post<{ latest: Record<string, { ts: number; value: number }> }>('/api/v1/latest', {
    sensors,
  });
  return answer.latest;
}
