import { isRecord } from '../input-checks.ts';
import type { Asset, Sensor } from './asset.ts';
import { parseCsvRows } from './csv.ts';
import type { Checked, FieldError } from './validate.ts';
import { assetFields, checkAsset, checkSensor, sensorFields } from './validate.ts';

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

/**
 * Checks each input. A record whose id an earlier record of the same import already has is refused
 * (rule `duplicate-id`): which of the two was meant cannot be told.
 */
function collect<T extends { id: string }>(
  inputs: readonly ImportInput[],
  check: Checker<T>,
): ImportResult<T> {
  const result: ImportResult<T> = { records: [], rows: [], rejected: [] };
  const firstRows = new Map<string, number>();
  for (const entry of inputs) {
    if ('refused' in entry) {
      result.rejected.push({ row: entry.row, ...entry.refused });
      continue;
    }
    const checked = check(entry.input);
    const first = checked.ok ? firstRows.get(checked.value.id) : undefined;
    if (checked.ok && first !== undefined) {
      const { id } = checked.value;
      const message = `id '${id}' is already in row ${first} of this import`;
      result.rejected.push({ row: entry.row, field: 'id', value: id, rule: 'duplicate-id', message });
    } else if (checked.ok) {
      firstRows.set(checked.value.id, entry.row);
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
    const cell = cells[position] ?? '';
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

/** Why a CSV header cannot be read: a column that is not a field, a repeated one, or no `id`. */
function headerError(kind: RecordKind, columns: readonly string[]): FieldError | undefined {
  const fields: readonly string[] = kind === 'asset' ? assetFields : sensorFields;
  const known = `the columns are ${fields.join(', ')} and tag.<name>`;
  for (const [position, column] of columns.entries()) {
    if (columns.indexOf(column) !== position)
      return { field: column, value: column, rule: 'header', message: `column '${column}' appears twice` };
    const tag = column.startsWith('tag.') && column.length > 4;
    if (!tag && !fields.includes(column))
      return {
        field: column,
        value: column,
        rule: 'header',
        message: `unknown column '${column}' (${known})`,
      };
  }
  if (!columns.includes('id'))
    return { field: 'id', value: columns, rule: 'missing', message: 'header has no id column' };
  return undefined;
}

/**
 * Parses a CSV file of assets or sensors; the header names the fields (`id,type,name,lat,lon,tag.zone`).
 * A header with an unknown or repeated column refuses the whole file; a row with more cells than
 * the header is refused (rule `columns`), one with fewer reads the missing cells as blank.
 */
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
  if (first === undefined) {
    const message = 'the file is empty: a header row naming the columns (id first) is required';
    return { records: [], rows: [], rejected: [{ row: 1, field: '', value: null, rule: 'header', message }] };
  }
  // Field names are read in any case (`ID`, `Lat`); a tag's name keeps its case, as JSON keeps it.
  const columns = first.cells.map((column) => {
    const name = column.trim();
    return /^tag\./i.test(name) ? `tag.${name.slice(4)}` : name.toLowerCase();
  });
  const refused = headerError(kind, columns);
  if (refused !== undefined) return { records: [], rows: [], rejected: [{ row: first.line, ...refused }] };
  const inputs = rows.map(({ line, cells }): ImportInput => {
    if (cells.length <= columns.length) return { row: line, input: csvRecord(columns, cells) };
    const message = `row has ${cells.length} cells but the header ${columns.length} columns (quote cells that hold a comma)`;
    return { row: line, refused: { field: '', value: cells.length, rule: 'columns', message } };
  });
  const check = (kind === 'asset' ? checkAsset : checkSensor) as Checker<K extends 'asset' ? Asset : Sensor>;
  return collect(inputs, check);
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
    const collection = isRecord(document) && document.type === 'FeatureCollection';
    const error = collection
      ? {
          field: 'features',
          value: document.features ?? null,
          message: 'a FeatureCollection needs a features array',
        }
      : {
          field: 'type',
          value: isRecord(document) ? (document.type ?? null) : document,
          message: 'expected a GeoJSON FeatureCollection or Feature',
        };
    return { records: [], rows: [], rejected: [{ row: 0, rule: 'geojson', ...error }] };
  }
  return collect(
    features.map((feature, index) => featureInput(feature, index)),
    check,
  );
}
