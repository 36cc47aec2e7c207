import type { Context } from 'hono';
import type { ImportResult, RecordKind } from '../../../core/registry/import.ts';
import { parseRegistryCsv, parseRegistryGeoJson } from '../../../core/registry/import.ts';
import type { Asset, Sensor } from '../../../core/registry/asset.ts';
import type { Registry } from '../../../ports/registry.ts';

/**
 * Bulk import: CSV (`text/csv`) or GeoJSON (`application/geo+json` or JSON). Valid records are
 * stored, refused rows listed; `?atomic=true` stores nothing when any row is refused.
 */
export async function importRecords(c: Context, registry: Registry, kind: RecordKind) {
  const type = c.req.header('content-type') ?? '';
  const text = await c.req.text();
  let result: ImportResult<Asset | Sensor>;
  if (type.includes('csv')) {
    result = parseRegistryCsv(kind, text);
  } else {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      return c.json(
        { error: `body is neither CSV (Content-Type: text/csv) nor JSON: ${(error as Error).message}` },
        400,
      );
    }
    result = parseRegistryGeoJson(kind, document);
  }
  const atomic = c.req.query('atomic') === 'true';
  if (atomic && result.rejected.length > 0) {
    return c.json(
      { error: 'import refused: some rows are invalid', imported: 0, rejected: result.rejected },
      400,
    );
  }
  if (kind === 'asset') await registry.putAssets(result.records as Asset[]);
  else await registry.putSensors(result.records as Sensor[]);
  const status = result.records.length === 0 && result.rejected.length > 0 ? 400 : 200;
  return c.json({ imported: result.records.length, rejected: result.rejected }, status);
}
