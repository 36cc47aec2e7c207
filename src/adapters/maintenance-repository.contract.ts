import assert from 'node:assert/strict';
import { applyVerdict } from '../core/maintenance/lifecycle.ts';
import type { VerdictInput } from '../core/maintenance/lifecycle.ts';
import { applyAlert } from '../core/maintenance/work-order.ts';
import type { WorkOrder } from '../core/maintenance/work-order.ts';
import type { MaintenanceRepository } from '../ports/maintenance.ts';

function draft(id: string, asset: string, ts: number) {
  return { id, sensor: `${asset}.t`, asset, score: 0.9, threshold: 0.5, ts, evidence: [] };
}

/** A verdict as `updateWorkOrder` applies it: a refused one stores nothing. */
function verdict(input: Omit<VerdictInput, 'by' | 'at' | 'note'>, at: number) {
  return (order: WorkOrder): WorkOrder | undefined => {
    const result = applyVerdict(order, { by: 'op', at, note: null, ...input });
    return result.ok ? result.order : undefined;
  };
}

/**
 * What every `MaintenanceRepository` must do with work orders, run against each adapter by its own
 * test (on an empty repository): `recordAlert` answering with what it stored (nothing for a repeat
 * of a (sensor, ts)), verdicts through `updateWorkOrder`, assignments kept and filtered
 * by, and a reopen refused while the asset has another active order.
 */
export async function checkMaintenanceRepository(repository: MaintenanceRepository): Promise<void> {
  const first = applyAlert(undefined, draft('c-a1', 'c-pump', 1_000), 'pump', 'c-w1');
  assert.deepEqual(await repository.recordAlert(first.alert, first.order), {
    recorded: true,
    alert: first.alert,
    order: first.order,
    opened: true,
  });
  const repeat = applyAlert(undefined, draft('c-a1-again', 'c-pump', 1_000), 'pump', 'c-w-again');
  assert.deepEqual(
    await repository.recordAlert(repeat.alert, repeat.order),
    { recorded: false },
    'an alert of a (sensor, ts) already recorded is dropped',
  );
  assert.equal(await repository.getWorkOrder('c-w-again'), undefined, 'with its order');
  const update = applyAlert(first.order, draft('c-a3', 'c-pump', 1_500), 'pump', 'c-unused');
  assert.deepEqual(await repository.recordAlert(update.alert, update.order), {
    recorded: true,
    alert: update.alert,
    order: update.order,
    opened: false,
  });
  assert.deepEqual(
    await repository.getWorkOrder('c-w1'),
    update.order,
    'the order answered is the one stored',
  );
  assert.deepEqual(
    (await repository.listAlerts({ asset: 'c-pump', limit: 10 })).map((alert) => alert.id),
    ['c-a3', 'c-a1'],
  );
  assert.deepEqual(await repository.updateWorkOrder('c-none', verdict({ action: 'acknowledge' }, 2)), {
    ok: false,
    reason: 'not-found',
  });
  const assigned = await repository.updateWorkOrder(
    'c-w1',
    verdict({ action: 'assign', assignee: 'crew 7' }, 2_000),
  );
  assert.ok(assigned.ok);
  assert.equal(assigned.order.assignee, 'crew 7');
  assert.deepEqual(await repository.getWorkOrder('c-w1'), assigned.order);
  assert.deepEqual(
    await repository.updateWorkOrder('c-w1', verdict({ action: 'assign', assignee: 'crew 7' }, 3_000)),
    { ok: false, reason: 'unchanged' },
    'a refused verdict stores nothing',
  );
  assert.deepEqual(
    (await repository.listWorkOrders({ assignee: 'crew 7', limit: 10 })).map((order) => order.id),
    ['c-w1'],
  );
  assert.deepEqual(await repository.listWorkOrders({ assignee: 'crew 8', limit: 10 }), []);
  const resolved = await repository.updateWorkOrder('c-w1', verdict({ action: 'resolve' }, 4_000));
  assert.ok(resolved.ok);
  assert.equal(await repository.activeWorkOrder('c-pump'), undefined);
  const reopened = await repository.updateWorkOrder('c-w1', verdict({ action: 'reopen' }, 5_000));
  assert.ok(reopened.ok);
  assert.equal((await repository.activeWorkOrder('c-pump'))?.id, 'c-w1');
  assert.deepEqual(
    (await repository.getWorkOrder('c-w1'))?.verdicts.map((entry) => entry.action),
    ['assign', 'resolve', 'reopen'],
  );
  const closed = await repository.updateWorkOrder('c-w1', verdict({ action: 'false-alarm' }, 6_000));
  assert.ok(closed.ok);
  const second = applyAlert(undefined, draft('c-a2', 'c-pump', 9_000), 'pump', 'c-w2');
  assert.deepEqual(await repository.recordAlert(second.alert, second.order), {
    recorded: true,
    alert: second.alert,
    order: second.order,
    opened: true,
  });
  assert.deepEqual(await repository.updateWorkOrder('c-w1', verdict({ action: 'reopen' }, 10_000)), {
    ok: false,
    reason: 'another-active',
    asset: 'c-pump',
    active: 'c-w2',
  });
  assert.equal(
    (await repository.getWorkOrder('c-w1'))?.status,
    'false-alarm',
    'the refused reopen changed nothing',
  );
  assert.equal((await repository.activeWorkOrder('c-pump'))?.id, 'c-w2');
}
