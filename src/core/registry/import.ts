import type { Asset, Sensor } from './asset.ts';
import { parseCsvRows } from './csv.ts';
import type { Checked, FieldError } from './validate.ts';
import { checkAsset, checkSensor } from './validate.ts';

/** One refused record of an import: `row` is the CSV line number (header = 1) or the GeoJSON feature index. */
export interface ImportRejection extends FieldError {
  row: number;
}

export interface ImportResult<T> {
  records: T[];
  rejected: ImportRejection[];
}

export type RecordKind = 'asset' | 'sensor';

type Checker<T> = (input: unknown) => Checked<T>;

function collect<T>(inputs: { row: number; input: unknown }[], check: Checker<T>): ImportResult<T> {
  const result: ImportResult<T> = { records: [], rejected: [] };
  for (const { row, input } of inputs) {
    const checked = check(input);
    if (checked.ok) result.records.push(checked.value);
    else for (const error of checked.errors) result.rejected.push({ row, ...error });
  }
  return result;
}

/** Turns `tag.<name>` columns and a `tags` column of `k=v;k=v` pairs into a tag object. */
function csvRecord(header: readonly string[], cells: readonly string[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  const tags: Record<string, string> = {};
  header.forEach((column, position) => {
    const cell = (cells[position] ?? '').trim();
    if (column.startsWith('tag.')) {
      if (cell !== '') tags[column.slice(4)] = cell;
    } else if (column === 'tags') {
      for (const pair of cell.split(';')) {
        const [key, ...rest] = pair.split('=');
        if (key !== undefined && key.trim() !== '') tags[key.trim()] = rest.join('=').trim();
      }
    } else if (cell !== '') {
      record[column] = cell;
    }
  });
  record.tags = tags;
  return record;
}

/** Parses a CSV file of assets or sensors; the header names the fields (`id,type,name,lat,lon,tag.zone`). */
export function parseRegistryCsv<K extends RecordKind>(
  kind: K,
  text: string,
): ImportResult<K extends 'asset' ? Asset : Sensor> {
  const [first, ...rows] = parseCsvRows(text);
  if (first === undefined) return { records: [], rejected: [] };
  const header = first.cells;
  const columns = header.map((column) => column.trim().toLowerCase());
  const inputs = rows.map(({ line, cells }) => ({ row: line, input: csvRecord(columns, cells) }));
  const check = (kind === 'asset' ? checkAsset : checkSensor) as Checker<K extends 'asset' ? Asset : Sensor>;
  if (!columns.includes('id')) {
    return {
      records: [],
      rejected: [
        { row: first.line, field: 'id', value: header, rule: 'missing', message: 'header has no id column' },
      ],
    };
  }
  return collect(inputs, check);
}

function isRecord(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

/** Flattens a GeoJSON Point feature into a record: properties, plus lat/lon from the geometry and `id`. */
function featureRecord(feature: unknown): unknown {
  if (!isRecord(feature) || feature.type !== 'Feature') return feature;
  const properties = isRecord(feature.properties) ? feature.properties : {};
  const record: Record<string, unknown> = { ...properties };
  if (record.id === undefined && feature.id !== undefined) record.id = String(feature.id);
  const geometry = feature.geometry;
  if (isRecord(geometry) && geometry.type === 'Point' && Array.isArray(geometry.coordinates)) {
    const [lon, lat] = geometry.coordinates as unknown[];
    record.lon = lon;
    record.lat = lat;
  }
  return record;
}

/** Parses a GeoJSON FeatureCollection (or a single Feature) of Point features into assets or sensors. */
export function parseRegistryGeoJson<K extends RecordKind>(
  kind: K,
  document: unknown,
): ImportResult<K extends 'asset' ? Asset : Sensor> {
  const check = (kind === 'asset' ? checkAsset : checkSensor) as Checker<K extends 'asset' ? Asset : Sensor>;
  let features: unknown[];
  if (isRecord(document) && document.type === 'FeatureCollection' && Array.isArray(document.features)) {
    features = document.features;
  } else if (isRecord(document) && document.type === 'Feature') {
    features = [document];
  } else {
    const error = { field: 'type', value: isRecord(document) ? document.type : document, rule: 'geojson' };
    return {
      records: [],
      rejected: [{ row: 0, ...error, message: 'expected a GeoJSON FeatureCollection or Feature' }],
    };
  }
  return collect(
    features.map((feature, index) => ({ row: index, input: featureRecord(feature) })),
    check,
  );
}
