import type { Sensor } from './asset.ts';
import type { ImportResult } from './import.ts';
import type { FieldError } from './validate.ts';

/** The error for a sensor that names an asset the registry does not hold. */
export function unknownAssetError(asset: string): FieldError {
  return {
    field: 'asset',
    value: asset,
    rule: 'unknown-asset',
    message: `asset '${asset}' is not registered (register assets before their sensors)`,
  };
}

/** Distinct assets the sensors name. */
export function assetsNamed(sensors: readonly Sensor[]): string[] {
  return [...new Set(sensors.flatMap((sensor) => (sensor.asset === null ? [] : [sensor.asset])))];
}

/**
 * Moves the sensors of an import that name an asset not in `knownAssets` to its refused rows,
 * which stay in row order.
 */
export function refuseUnknownAssets(
  result: ImportResult<Sensor>,
  knownAssets: ReadonlySet<string>,
): ImportResult<Sensor> {
  const kept: ImportResult<Sensor> = { records: [], rows: [], rejected: [...result.rejected] };
  result.records.forEach((sensor, index) => {
    const row = result.rows[index] as number;
    if (sensor.asset === null || knownAssets.has(sensor.asset)) {
      kept.records.push(sensor);
      kept.rows.push(row);
    } else {
      kept.rejected.push({ row, ...unknownAssetError(sensor.asset) });
    }
  });
  kept.rejected.sort((a, b) => a.row - b.row);
  return kept;
}
