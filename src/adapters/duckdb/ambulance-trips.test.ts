import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAmbulanceTripStore } from '../ambulance-trips.contract.ts';
import { DuckDbAmbulanceTrips } from './ambulance-trips.ts';
import { openDatabase } from './database.ts';

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
