import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EmergencyQueue } from '../../src/core/ems/queue.ts';
import type { Level } from '../../src/core/triage/presentation.ts';

void test('the queue serves by level first, then by arrival, then by order of entry', () => {
  const queue = new EmergencyQueue();
  queue.add({ patientId: 'a', level: 3, arrivalMinutes: 1 });
  queue.add({ patientId: 'b', level: 2, arrivalMinutes: 5 });
  queue.add({ patientId: 'c', level: 3, arrivalMinutes: 0 });
  queue.add({ patientId: 'd', level: 2, arrivalMinutes: 5 });
  queue.add({ patientId: 'e', level: 1, arrivalMinutes: 9 });
  assert.deepEqual(
    queue.ordered().map((e) => e.patientId),
    ['e', 'b', 'd', 'c', 'a'],
  );
  assert.deepEqual(queue.countsByLevel(), [1, 2, 2, 0, 0]);
  const served: string[] = [];
  for (let entry = queue.next(); entry !== undefined; entry = queue.next()) served.push(entry.patientId);
  assert.deepEqual(served, ['e', 'b', 'd', 'c', 'a']);
});

void test('a withdrawn patient is never served, and can rejoin later as a new entry', () => {
  const queue = new EmergencyQueue();
  queue.add({ patientId: 'a', level: 4, arrivalMinutes: 0 });
  queue.add({ patientId: 'b', level: 4, arrivalMinutes: 1 });
  assert.equal(queue.withdraw('a'), true);
  assert.equal(queue.withdraw('a'), false);
  assert.equal(queue.size, 1);
  queue.add({ patientId: 'a', level: 4, arrivalMinutes: 2 });
  assert.deepEqual([queue.next()?.patientId, queue.next()?.patientId, queue.next()], ['b', 'a', undefined]);
  assert.throws(() => {
    queue.add({ patientId: 'x', level: 1, arrivalMinutes: 0 });
    queue.add({ patientId: 'x', level: 1, arrivalMinutes: 0 });
  }, /already queued/);
});

void test('for any entries, service order is sorted by (level, arrival)', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ level: fc.integer({ min: 1, max: 5 }), arrivalMinutes: fc.integer({ min: 0, max: 50 }) }),
        { maxLength: 60 },
      ),
      (entries) => {
        const queue = new EmergencyQueue();
        entries.forEach((e, i) =>
          queue.add({ patientId: `p${i}`, level: e.level as Level, arrivalMinutes: e.arrivalMinutes }),
        );
        const served: { level: number; arrivalMinutes: number }[] = [];
        for (let entry = queue.next(); entry !== undefined; entry = queue.next()) served.push(entry);
        const sorted = served.every(
          (e, i) =>
            i === 0 ||
            served[i - 1]!.level < e.level ||
            (served[i - 1]!.level === e.level && served[i - 1]!.arrivalMinutes <= e.arrivalMinutes),
        );
        return served.length === entries.length && sorted;
      },
    ),
  );
});
