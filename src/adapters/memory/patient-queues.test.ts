import { test } from 'node:test';
import { checkPatientQueueStore } from '../patient-queues.contract.ts';
import { MemoryPatientQueues } from './patient-queues.ts';

test('in-memory emergency queues keep the queue contract', async () => {
  await checkPatientQueueStore(new MemoryPatientQueues());
});
