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
  /** The row (as in `ImportRejection`) of each record, in the same order. */
  rows: number[];
  rejected: ImportRejection[];
}

export type RecordKind = 'asset' | 'sensor';

type Checker<T> = (input: unknown) => Checked<T>;

/** One input of an import: a record to check, or a refusal found before its fields are checked. */
type ImportInput = { row: number; input: unknown } | { row: number; refused: FieldError };

function collect<T>(inputs: readonly ImportInput[], check: Checker<T>): ImportResult<T> {
  const result: ImportResult<T> = { records: [], rows: [], rejected: [] };
  for (const entry of inputs) {
    if ('refused' in entry) {
      result.rejected.push({ row: entry.row, ...entry.refused });
      continue;
    }
    const checked = check(entry.input);
    if (checked.ok) {
      result.records.push(checked.value);
      result.rows.push(entry.row);
    } else {
      for (const error of checked.errors) result.rejected.push({ row: entry.row, ...error });
    }
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
  const parsed = parseCsvRows(text);
  if (!parsed.ok) {
    const error = { field: '', value: null, rule: 'csv', message: `not valid CSV: ${parsed.message}` };
    return { records: [], rows: [], rejected: [{ row: parsed.line, ...error }] };
  }
  const [first, ...rows] = parsed.rows;
  if (first === undefined) return { records: [], rows: [], rejected: [] };
  const header = first.cells;
  const columns = header.map((column) => column.trim().toLowerCase());
  const inputs = rows.map(({ line, cells }) => ({ row: line, input: csvRecord(columns, cells) }));
  const check = (kind === 'asset' ? checkAsset : checkSensor) as Checker<K extends 'asset' ? Asset : Sensor>;
  if (!columns.includes('id')) {
    return {
      records: [],
      rows: [],
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

/** Whether a GeoJSON position: [lon, lat] or [lon, lat, altitude], numbers. */
function isPosition(coordinates: unknown): coordinates is number[] {
  return (
    Array.isArray(coordinates) &&
    (coordinates.length === 2 || coordinates.length === 3) &&
    coordinates.every((coordinate) => typeof coordinate === 'number')
  );
}

/**
 * Flattens a GeoJSON feature into a record: properties, plus lat/lon from its Point geometry and
 * `id`. A feature without geometry (null) keeps the lat/lon of its properties, if any; any other
 * geometry, or a Point that is not [lon, lat], is refused.
 */
function featureInput(feature: unknown, row: number): ImportInput {
  if (!isRecord(feature) || feature.type !== 'Feature') {
    const value = isRecord(feature) ? feature.type : feature;
    return {
      row,
      refused: { field: 'type', value, rule: 'feature', message: 'each feature must be a GeoJSON Feature' },
    };
  }
  const properties = isRecord(feature.properties) ? feature.properties : {};
  const record: Record<string, unknown> = { ...properties };
  if (record.id === undefined && feature.id !== undefined) record.id = String(feature.id);
  const geometry = feature.geometry;
  if (geometry === null || geometry === undefined) return { row, input: record };
  if (!isRecord(geometry) || geometry.type !== 'Point') {
    const value = isRecord(geometry) ? geometry.type : geometry;
    const message = 'geometry must be a Point (or null for a feature without a position)';
    return { row, refused: { field: 'geometry', value, rule: 'point', message } };
  }
  if (!isPosition(geometry.coordinates)) {
    const message = 'a Point has coordinates [lon, lat] or [lon, lat, altitude] of numbers';
    return {
      row,
      refused: { field: 'geometry.coordinates', value: geometry.coordinates, rule: 'point', message },
    };
  }
  const [lon, lat] = geometry.coordinates;
  return { row, input: { ...record, lon, lat } };
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
      rows: [],
      rejected: [{ row: 0, ...error, message: 'expected a GeoJSON FeatureCollection or Feature' }],
    };
  }
  return collect(
    features.map((feature, index) => featureInput(feature, index)),
    check,
  );
}
