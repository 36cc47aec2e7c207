import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseCsv } from './csv.ts';
import { parseRegistryCsv, parseRegistryGeoJson } from './import.ts';

/** RFC 4180 quoting, and quotes around edge blanks too: unquoted cells are read trimmed. */
function toCsvCell(cell: string): string {
  return /[",\r\n]|^\s|\s$/.test(cell) || cell === '' ? `"${cell.replaceAll('"', '""')}"` : cell;
}

void test('CSV cells survive quoting: any table written with RFC 4180 quoting (edge blanks quoted) reads back the same', () => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', 'é') });
  const table = fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 });
  fc.assert(
    fc.property(table, (rows) => {
      const text = rows.map((row) => row.map(toCsvCell).join(',')).join('\r\n');
      assert.deepEqual(parseCsv(text), rows);
    }),
  );
});

void test('a CSV of sensors reads tag columns, skips blank lines and names each refused row', () => {
  const csv = [
    'id,kind,unit,asset,lat,lon,tags,tag.owner',
    's1,flow,l/s,p1,52.1,4.3,zone=a;floor=2,water board',
    '',
    's/2,flow,l/s,,,,,',
    's3,level,m,,north,4.3,,',
  ].join('\n');
  const result = parseRegistryCsv('sensor', csv);
  assert.deepEqual(result.records, [
    {
      id: 's1',
      kind: 'flow',
      unit: 'l/s',
      asset: 'p1',
      lat: 52.1,
      lon: 4.3,
      tags: { zone: 'a', floor: '2', owner: 'water board' },
    },
  ]);
  assert.deepEqual(
    result.rejected.map((r) => [r.row, r.field, r.value, r.rule]),
    [
      [4, 'id', 's/2', 'id'],
      [5, 'lat', 'north', 'coordinate'],
    ],
  );
});

void test('a CSV without an id column is refused as a whole', () => {
  const result = parseRegistryCsv('asset', 'name,type\nx,pump\n');
  assert.equal(result.records.length, 0);
  assert.deepEqual(
    result.rejected.map((r) => [r.row, r.field, r.rule]),
    [[1, 'id', 'missing']],
  );
});

void test('GeoJSON features become assets with lon/lat from the Point and the feature id as fallback id', () => {
  const result = parseRegistryGeoJson('asset', {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        id: 'h1',
        geometry: { type: 'Point', coordinates: [4.9, 52.4] },
        properties: { type: 'hospital', name: 'OLVG' },
      },
      {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [200, 52] },
        properties: { id: 'bad', type: 'pump' },
      },
    ],
  });
  assert.deepEqual(result.records, [
    { id: 'h1', type: 'hospital', name: 'OLVG', lat: 52.4, lon: 4.9, tags: {} },
  ]);
  assert.deepEqual(
    result.rejected.map((r) => [r.row, r.field, r.value, r.rule]),
    [[1, 'lon', 200, 'coordinate']],
  );
  assert.equal(parseRegistryGeoJson('asset', { type: 'Point' }).rejected[0]?.rule, 'geojson');
});

void test('GeoJSON features with another geometry or a Point that is not [lon, lat] are refused by index', () => {
  let features = 0;
  const feature = (geometry: unknown) => ({
    type: 'Feature',
    geometry,
    properties: { id: `x${features++}`, type: 'pump' },
  });
  const result = parseRegistryGeoJson('asset', {
    type: 'FeatureCollection',
    features: [
      feature({
        type: 'LineString',
        coordinates: [
          [4, 52],
          [5, 53],
        ],
      }),
      feature({ type: 'Polygon', coordinates: [] }),
      feature({ type: 'Point', coordinates: [13] }),
      feature({ type: 'Point', coordinates: ['4', '52'] }),
      feature('Point'),
      { id: 'plain', type: 'pump' },
      feature(null),
      feature({ type: 'Point', coordinates: [4.9, 52.4, 3] }),
    ],
  });
  assert.deepEqual(
    result.rejected.map((r) => [r.row, r.field, r.rule]),
    [
      [0, 'geometry', 'point'],
      [1, 'geometry', 'point'],
      [2, 'geometry.coordinates', 'point'],
      [3, 'geometry.coordinates', 'point'],
      [4, 'geometry', 'point'],
      [5, 'type', 'feature'],
    ],
  );
  assert.deepEqual(
    result.records.map((asset) => [asset.lat, asset.lon]),
    [
      [null, null],
      [52.4, 4.9],
    ],
  );
  assert.deepEqual(result.rows, [6, 7]);
});

void test('a CSV with a quoted cell never closed is one syntax error naming the line the cell starts on', () => {
  const result = parseRegistryCsv('asset', 'id,type\nu0,pump\r\n"unterminated,pump\nu2,pump');
  assert.deepEqual(result.records, []);
  assert.deepEqual(
    result.rejected.map((r) => [r.row, r.rule, r.message]),
    [[3, 'csv', 'not valid CSV: line 3: a quoted field is not closed']],
  );
  assert.throws(() => parseCsv('a,"b\n'), /line 1: a quoted field is not closed/);
});

void test('unquoted cells are read trimmed and a byte-order mark is skipped; text after a closing quote is an error', () => {
  assert.deepEqual(parseCsv('\uFEFFid, name \np1 , Pump "A"'), [
    ['id', 'name'],
    ['p1', 'Pump "A"'],
  ]);
  const result = parseRegistryCsv('asset', 'id,type,name\np1,pump,"Pump"s');
  assert.deepEqual(
    result.rejected.map((r) => r.message),
    [`not valid CSV: line 2: 's' after the closing quote of a field`],
  );
});

void test('quoted CSV cells keep their edge blanks, as the docs promise', () => {
  // Regression: cells were trimmed again after parsing, so "  padded " lost its blanks.
  const result = parseRegistryCsv('asset', 'id,type,name\np1,pump,"  padded "\np2,pump,  plain  \n');
  assert.deepEqual(
    result.records.map((asset) => asset.name),
    ['  padded ', 'plain'],
  );
});

void test('a repeated id inside one import is refused, naming the row of the first', () => {
  // Regression: the last row of an id silently replaced the first and both counted as imported.
  const csv = parseRegistryCsv('asset', 'id,type\nc1,pump\nc2,valve\nc1,bridge\n');
  assert.deepEqual(
    csv.records.map((asset) => [asset.id, asset.type]),
    [
      ['c1', 'pump'],
      ['c2', 'valve'],
    ],
  );
  assert.deepEqual(
    csv.rejected.map((r) => [r.row, r.field, r.value, r.rule, r.message]),
    [[4, 'id', 'c1', 'duplicate-id', "id 'c1' is already in row 2 of this import"]],
  );
  const point = { type: 'Point', coordinates: [4, 52] };
  const geojson = parseRegistryGeoJson('sensor', {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', id: 's1', geometry: point, properties: {} },
      { type: 'Feature', geometry: point, properties: { id: 's1' } },
    ],
  });
  assert.deepEqual(
    geojson.rejected.map((r) => [r.row, r.rule]),
    [[1, 'duplicate-id']],
  );
});

void test('a CSV header with an unknown or repeated column is refused as a whole, naming the column', () => {
  // Regression: a misspelt `lattitude` column was dropped and every row imported without a position.
  const misspelt = parseRegistryCsv('asset', 'id,type,lattitude,lon\np1,pump,52,4\n');
  assert.deepEqual(misspelt.records, []);
  assert.deepEqual(
    misspelt.rejected.map((r) => [r.row, r.field, r.rule]),
    [[1, 'lattitude', 'header']],
  );
  assert.match(
    misspelt.rejected[0]?.message ?? '',
    /unknown column 'lattitude' \(the columns are id, type, name/,
  );
  const sensorColumn = parseRegistryCsv('asset', 'id,kind\np1,flow\n');
  assert.deepEqual(
    sensorColumn.rejected.map((r) => [r.field, r.rule]),
    [['kind', 'header']],
  );
  const twice = parseRegistryCsv('sensor', 'ID,id,tag.zone\nq1,q2,a\n');
  assert.deepEqual(
    twice.rejected.map((r) => [r.row, r.field, r.rule, r.message]),
    [[1, 'id', 'header', "column 'id' appears twice"]],
  );
  assert.equal(parseRegistryCsv('sensor', 'id,tag.zone,tags\ns1,a,b=c\n').rejected.length, 0);
});

void test('an empty CSV file is refused as a whole, not imported as nothing', () => {
  // Regression: an empty body answered 200 with nothing imported.
  for (const text of ['', '\n', '\r\n\r\n']) {
    const empty = parseRegistryCsv('asset', text);
    assert.deepEqual(empty.records, []);
    assert.deepEqual(
      empty.rejected.map((r) => [r.row, r.rule]),
      [[1, 'header']],
      JSON.stringify(text),
    );
  }
});

void test('a CSV row with more cells than the header is refused; one with fewer reads them as blank', () => {
  // Regression: an unquoted comma in a name shifted the cells and the extra one was dropped silently.
  const result = parseRegistryCsv('asset', 'id,type,name\nc4,valve,x,EXTRA\nc5,pump\n');
  assert.deepEqual(
    result.rejected.map((r) => [r.row, r.value, r.rule]),
    [[2, 4, 'columns']],
  );
  assert.deepEqual(
    result.records.map((asset) => [asset.id, asset.name]),
    [['c5', '']],
  );
});

void test('GeoJSON properties that are not fields are refused, and a FeatureCollection without features says so', () => {
  const result = parseRegistryGeoJson('sensor', {
    type: 'Feature',
    id: 's1',
    geometry: null,
    properties: { kind: 'flow', units: 'l/s' },
  });
  assert.deepEqual(
    result.rejected.map((r) => [r.row, r.field, r.value, r.rule]),
    [[0, 'units', 'l/s', 'unknown-field']],
  );
  assert.deepEqual(
    parseRegistryGeoJson('asset', { type: 'FeatureCollection' }).rejected.map((r) => [
      r.field,
      r.rule,
      r.message,
    ]),
    [['features', 'geojson', 'a FeatureCollection needs a features array']],
  );
});

void test('CSV field names are read in any case, tag names keep theirs; bug: tag.Zone was stored as zone', () => {
  const result = parseRegistryCsv('asset', 'ID,Type,TAG.Zone,tag.owner\np1,pump,North,city\n');
  assert.deepEqual(result.rejected, []);
  assert.deepEqual(result.records[0]?.tags, { Zone: 'North', owner: 'city' });
});
