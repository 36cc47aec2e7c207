import { test } from 'node:test';
import { checkMaintenanceRepository } from '../maintenance-repository.contract.ts';
import { MemoryMaintenanceRepository } from './maintenance-repository.ts';

test('the in-memory maintenance repository keeps the work-order contract', async () => {
  await checkMaintenanceRepository(new MemoryMaintenanceRepository());
});
