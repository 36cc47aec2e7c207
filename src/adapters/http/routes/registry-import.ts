import type { Context } from 'hono';
import type { ImportResult, RecordKind } from '../../../core/registry/import.ts';
import { parseRegistryCsv, parseRegistryGeoJson } from '../../../core/registry/import.ts';
import { assetsNamed, refuseUnknownAssets } from '../../../core/registry/asset-reference.ts';
import type { Asset, Sensor } from '../../../core/registry/asset.ts';
import { parseJsonText } from '../../../core/json-text.ts';
import type { Registry } from '../../../ports/registry.ts';
import { unknownParameters } from '../query-parameters.ts';

/** Up to this many assets are looked up one by one; more are found by listing the registry. */
const maxAssetLookups = 100;
const assetPageSize = 10_000;

/**
 * The assets among `ids` that the registry holds. A lookup costs about 2 ms in DuckDB and a page
 * of 10,000 assets about 75 ms, so an import that names many assets lists them all instead.
 */
export async function knownAssets(registry: Registry, ids: readonly string[]): Promise<Set<string>> {
  const known = new Set<string>();
  if (ids.length <= maxAssetLookups) {
    for (const id of ids) if ((await registry.getAsset(id)) !== undefined) known.add(id);
    return known;
  }
  const wanted = new Set(ids);
  for (let offset = 0; ; offset += assetPageSize) {
    const page = await registry.listAssets({ limit: assetPageSize, offset });
    for (const asset of page) if (wanted.has(asset.id)) known.add(asset.id);
    if (page.length < assetPageSize) return known;
  }
}

/**
 * Bulk import: CSV (`text/csv`) or GeoJSON (`application/geo+json` or JSON). Valid records are
 * stored, refused rows listed; `?atomic=true` stores nothing when any row is refused;
 * `?existing=keep` leaves records already registered as they are (`replace`, the default). A sensor
 * naming an asset the registry does not hold is refused: import assets before their sensors.
 */
export async function importRecords(c: Context, registry: Registry, kind: RecordKind) {
  const unknown = unknownParameters(c, ['atomic', 'existing']);
  if (unknown !== undefined) return c.json({ error: unknown }, 400);
  const atomicParameter = c.req.query('atomic');
  if (atomicParameter !== undefined && atomicParameter !== 'true' && atomicParameter !== 'false')
    return c.json({ error: `atomic='${atomicParameter}' must be true or false` }, 400);
  const atomic = atomicParameter === 'true';
  const existing = c.req.query('existing') ?? 'replace';
  if (existing !== 'replace' && existing !== 'keep')
    return c.json({ error: `existing='${existing}' must be replace or keep` }, 400);
  const type = c.req.header('content-type') ?? '';
  const text = await c.req.text();
  let result: ImportResult<Asset | Sensor>;
  if (type.includes('csv')) {
    result = parseRegistryCsv(kind, text);
  } else {
    const document = parseJsonText(text);
    if (!document.ok)
      return c.json({ error: `${document.error} (nor is it CSV: Content-Type: text/csv)` }, 400);
    result = parseRegistryGeoJson(kind, document.value);
  }
  if (kind === 'sensor') {
    const sensors = result as ImportResult<Sensor>;
    result = refuseUnknownAssets(sensors, await knownAssets(registry, assetsNamed(sensors.records)));
  }
  if (atomic && result.rejected.length > 0) {
    return c.json(
      { error: 'import refused: some rows are invalid', imported: 0, kept: 0, rejected: result.rejected },
      400,
    );
  }
  // With `keep`, the records registered already are counted apart: they are not what was imported.
  const kept = existing === 'keep' ? await registeredAmong(registry, kind, result.records) : 0;
  if (kind === 'asset') await registry.putAssets(result.records as Asset[], { existing });
  else await registry.putSensors(result.records as Sensor[], { existing });
  const body = { imported: result.records.length - kept, kept, rejected: result.rejected };
  if (result.records.length === 0 && result.rejected.length > 0)
    return c.json({ error: 'no record was imported', ...body }, 400);
  return c.json(body, 200);
}

/** How many of the records are registered already. */
async function registeredAmong(
  registry: Registry,
  kind: RecordKind,
  records: readonly (Asset | Sensor)[],
): Promise<number> {
  if (kind === 'sensor') return records.filter((record) => registry.hasSensor(record.id)).length;
  return (
    await knownAssets(
      registry,
      records.map((record) => record.id),
    )
  ).size;
}
