import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../adapters/memory/bus.ts';
import { MemoryMaintenanceRepository } from '../../adapters/memory/maintenance-repository.ts';
import { MemoryRegistry } from '../../adapters/memory/registry.ts';
import { PostgresMaintenanceRepository } from '../../adapters/postgres/maintenance-repository.ts';
import { skipWithoutPostgres, startTestPostgres } from '../../adapters/postgres/postgres.test-helpers.ts';
import { applyVerdict } from '../../core/maintenance/lifecycle.ts';
import type { VerdictInput } from '../../core/maintenance/lifecycle.ts';
import type { WorkOrder } from '../../core/maintenance/work-order.ts';
import type { BusEvent } from '../../ports/bus.ts';
import { DetectionService } from './detection-service.ts';
import { stepDetector } from './step-detector.test-helpers.ts';

const minute = 60_000;

/**
 * A processing process's repository on which an API process decides a verdict right after the
 * processing process read the asset's active order (once `between` is set), before the alert is written.
 */
class RacedRepository extends PostgresMaintenanceRepository {
  between: (() => Promise<void>) | undefined;
  override async activeWorkOrder(asset: string): Promise<WorkOrder | undefined> {
    const read = await super.activeWorkOrder(asset);
    const verdict = this.between;
    this.between = undefined;
    await verdict?.();
    return read;
  }
}

/** A verdict as an API process stores it. */
async function decide(
  api: PostgresMaintenanceRepository,
  id: string,
  input: Omit<VerdictInput, 'at' | 'by' | 'note'>,
) {
  const stored = await api.updateWorkOrder(id, (order) => {
    const result = applyVerdict(order, { by: 'op', at: 5_000, note: null, ...input });
    return result.ok ? result.order : undefined;
  });
  assert.ok(stored.ok, `${input.action} is stored`);
}

test(
  'PostgreSQL: the alert and workorder events carry the order as stored, with the verdict an API process made after the processing process read it',
  { skip: skipWithoutPostgres, timeout: 90_000 },
  async (t) => {
    const pool = await (await startTestPostgres(t, 'ub-detection-postgres-')).openPool();
    const repository = new RacedRepository(pool);
    const api = new PostgresMaintenanceRepository(pool);
    const bus = new MemoryBus();
    const events: BusEvent[] = [];
    bus.subscribe('events', (event) => void events.push(event));
    let next = 0;
    const service = new DetectionService({
      bus,
      repository,
      states: new MemoryMaintenanceRepository(),
      registry: new MemoryRegistry(),
      detector: stepDetector,
      learningReadings: 0,
      learningSpanMillis: 0,
      suppressionMillis: 0,
      snapshotIntervalMillis: 0,
      clock: () => 1_000 * minute,
      newId: () => `id-${(next += 1)}`,
    });
    const flushed = async (): Promise<BusEvent[]> => {
      await service.forceFlush();
      await new Promise((resolve) => setImmediate(resolve)); // the bus delivers on a later turn
      return events.splice(0);
    };
    service.accept([{ sensor: 'pump-9', ts: 1 * minute, value: 150 }]);
    const [opened] = await flushed();
    const order = (opened?.data as { alert: { workOrder: string } }).alert.workOrder;

    // Bug: the events carried the processing process's copy: `open`, unassigned, while the store
    // held the order acknowledged and assigned.
    repository.between = async () => {
      await decide(api, order, { action: 'acknowledge' });
      await decide(api, order, { action: 'assign', assignee: 'crew 3' });
    };
    service.accept([{ sensor: 'pump-9', ts: 2 * minute, value: 150 }]);
    const updated = await flushed();
    const stored = await api.getWorkOrder(order);
    assert.equal(stored?.status, 'acknowledged');
    assert.deepEqual(
      updated.map((event) => event.type),
      ['alert', 'workorder'],
    );
    assert.deepEqual(updated[1]?.data, { change: 'updated', workOrder: stored });

    // The order is closed meanwhile: the alert opened a new one, which both events name.
    repository.between = () => decide(api, order, { action: 'resolve' });
    service.accept([{ sensor: 'pump-9', ts: 3 * minute, value: 150 }]);
    const reopened = await flushed();
    const active = await api.activeWorkOrder('pump-9');
    assert.ok(active !== undefined && active.id !== order);
    const [alert] = await api.listAlerts({ asset: 'pump-9', limit: 1 });
    assert.equal(alert?.workOrder, active.id);
    assert.deepEqual(
      reopened.map((event) => event.data),
      [{ alert }, { change: 'opened', workOrder: active }],
    );
    await service.shutdown();
  },
);
