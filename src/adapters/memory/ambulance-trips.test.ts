import { test } from 'node:test';
import { checkAmbulanceTripStore } from '../ambulance-trips.contract.ts';
import { MemoryAmbulanceTrips } from './ambulance-trips.ts';

test('in-memory ambulance trips keep the trip contract', async () => {
  await checkAmbulanceTripStore(new MemoryAmbulanceTrips());
});
