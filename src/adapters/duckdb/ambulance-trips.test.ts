import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAmbulanceTripStore } from '../ambulance-trips.contract.ts';
import { DuckDbAmbulanceTrips } from './ambulance-trips.ts';
import { openDatabase, type Database } from './database.ts';

test('DuckDB ambulance trips keep the trip contract and survive reopening, in dispatch order', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ambulance-trips-'));
  try {
    let database = await openDatabase({ dataDir });
    let trips = await DuckDbAmbulanceTrips.open(database);
    await checkAmbulanceTripStore(trips);
    await trips.add({ id: 'a', hospital: 'north', level: 2, sentMillis: 70_000, untilMillis: 200_000 });
    await trips.add({ id: 'b', hospital: 'north', level: 2, sentMillis: 71_000, untilMillis: 200_000 });
    await trips.close();
    database.close();
    database = await openDatabase({ dataDir });
    trips = await DuckDbAmbulanceTrips.open(database);
    // Dispatch order continues after the reopen: a later trip is not taken for an earlier one.
    await trips.add({ id: 'c', hospital: 'north', level: 2, sentMillis: 72_000, untilMillis: 200_000 });
    assert.deepEqual(
      (await trips.current(80_000)).map((trip) => trip.id),
      ['a', 'b', 'c'],
    );
    assert.equal((await trips.arrived('north', 2, 80_000))?.id, 'a');
    // Overdue trips are deleted when a later one is added, not kept for ever.
    await trips.add({ id: 'd', hospital: 'south', level: 1, sentMillis: 300_000, untilMillis: 400_000 });
    await trips.close();
    database.close();
    database = await openDatabase({ dataDir });
    const connection = await database.connect();
    const reader = await connection.runAndReadAll('SELECT id FROM ambulance_trips ORDER BY seq');
    assert.deepEqual(
      reader.getRows().map((row) => row[0]),
      ['d'],
    );
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** The table as files made before trips had an expected arrival hold it, with one trip ('old'). */
async function madeBefore(database: Database): Promise<void> {
  const connection = await database.connect();
  await connection.run('CREATE SEQUENCE ambulance_trip_order');
  await connection.run(
    'CREATE TABLE ambulance_trips (id VARCHAR PRIMARY KEY, hospital VARCHAR NOT NULL, ' +
      'level UTINYINT NOT NULL, sent_millis DOUBLE NOT NULL, until_millis DOUBLE NOT NULL, ' +
      "seq BIGINT NOT NULL DEFAULT nextval('ambulance_trip_order'))",
  );
  await connection.run(
    "INSERT INTO ambulance_trips (id, hospital, level, sent_millis, until_millis) VALUES ('old', 'north', 2, 1000, 90000)",
  );
}

test('a file made before trips had an expected arrival opens, keeps its trips, and takes new ones with it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ambulance-trips-'));
  try {
    let database = await openDatabase({ dataDir });
    await madeBefore(database);
    database.close();
    database = await openDatabase({ dataDir });
    const trips = await DuckDbAmbulanceTrips.open(database);
    assert.deepEqual(await trips.current(2_000), [
      { id: 'old', hospital: 'north', level: 2, sentMillis: 1_000, untilMillis: 90_000 },
    ]);
    const newer = {
      id: 'new',
      hospital: 'north',
      level: 2 as const,
      sentMillis: 3_000,
      untilMillis: 95_000,
      arrivesMillis: 40_000,
    };
    await trips.add(newer);
    assert.deepEqual(
      await trips.arrived('north', 2, 5_000),
      newer,
      'expected at 40,000, before the old one (90,000)',
    );
    await trips.close();
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('killed right after moving a file made before to the new table, the file opens with its trips', async () => {
  // DuckDB 1.5 could not replay `ALTER TABLE … ADD COLUMN` on this table from its log: after a
  // crash before the next checkpoint the file would not open at all.
  const dataDir = mkdtempSync(join(tmpdir(), 'ambulance-trips-'));
  try {
    const database = await openDatabase({ dataDir });
    await madeBefore(database);
    database.close();
    const script = join(dataDir, 'crash.mts');
    const here = new URL('.', import.meta.url).href;
    writeFileSync(
      script,
      `import { openDatabase } from '${here}database.ts';
import { DuckDbAmbulanceTrips } from '${here}ambulance-trips.ts';
const trips = await DuckDbAmbulanceTrips.open(await openDatabase({ dataDir: ${JSON.stringify(dataDir)} }));
await trips.add({ id: 'new', hospital: 'north', level: 2, sentMillis: 3000, untilMillis: 95000, arrivesMillis: 40000 });
process.kill(process.pid, 'SIGKILL');
`,
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: new URL('../../..', import.meta.url).pathname,
      encoding: 'utf8',
    });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    const reopened = await openDatabase({ dataDir });
    const trips = await DuckDbAmbulanceTrips.open(reopened);
    assert.deepEqual(
      (await trips.current(5_000)).map((trip) => [trip.id, trip.arrivesMillis]),
      [
        ['old', undefined],
        ['new', 40_000],
      ],
    );
    await trips.close();
    reopened.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
