import type { Asset, Sensor } from '../core/registry/asset.ts';
import type { Serial } from '../core/serial.ts';
import type { Registry } from '../ports/registry.ts';

/**
 * A registry update for a registry kept by one process: the record is read, changed and written
 * on `queue`, so no other update on that queue comes between the read and the write. The id stays
 * whatever `change` returns; undefined when there is no such record (`change` is not called).
 */
function updateOnQueue<T extends { id: string }>(
  queue: Serial,
  id: string,
  read: (id: string) => Promise<T | undefined>,
  write: (record: T) => Promise<void>,
  change: (current: T) => Promise<T>,
): Promise<T | undefined> {
  return queue.run(async () => {
    const current = await read(id);
    if (current === undefined) return undefined;
    const next = { ...(await change(current)), id };
    await write(next);
    return next;
  });
}

/** `Registry.updateSensor` for a registry kept by one process, its updates on `queue`. */
export function updateSensorOnQueue(
  queue: Serial,
  registry: Pick<Registry, 'getSensor' | 'putSensors'>,
  id: string,
  change: (current: Sensor) => Promise<Sensor>,
): Promise<Sensor | undefined> {
  return updateOnQueue(
    queue,
    id,
    (key) => registry.getSensor(key),
    (sensor) => registry.putSensors([sensor]),
    change,
  );
}

/** `Registry.updateAsset` for a registry kept by one process, its updates on `queue`. */
export function updateAssetOnQueue(
  queue: Serial,
  registry: Pick<Registry, 'getAsset' | 'putAssets'>,
  id: string,
  change: (current: Asset) => Promise<Asset>,
): Promise<Asset | undefined> {
  return updateOnQueue(
    queue,
    id,
    (key) => registry.getAsset(key),
    (asset) => registry.putAssets([asset]),
    change,
  );
}
