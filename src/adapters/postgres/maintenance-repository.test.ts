import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyVerdict } from '../../core/maintenance/lifecycle.ts';
import { applyAlert } from '../../core/maintenance/work-order.ts';
import { checkMaintenanceRepository } from '../maintenance-repository.contract.ts';
import { PostgresMaintenanceRepository } from './maintenance-repository.ts';
import { skipWithoutPostgres, startTestPostgres } from './postgres.test-helpers.ts';

function draft(id: string, ts: number) {
  return { id, sensor: 'p.t', asset: 'pump-2', score: 0.9, threshold: 0.5, ts, evidence: [] };
}

test(
  'PostgreSQL: the work-order contract, and a verdict of one process is not undone by an alert of another that read the order before it',
  { skip: skipWithoutPostgres, timeout: 90_000 },
  async (t) => {
    const pool = await (await startTestPostgres(t, 'ub-postgres-maintenance-')).openPool();
    const repository = new PostgresMaintenanceRepository(pool);
    await checkMaintenanceRepository(repository);

    const first = applyAlert(undefined, draft('a1', 1_000), 'pump', 'w1');
    await repository.recordAlert(first.alert, first.order);
    // A processing process reads the open order; meanwhile an API process acknowledges and assigns it.
    const staleRead = await repository.getWorkOrder('w1');
    for (const input of [
      { action: 'acknowledge' as const },
      { action: 'assign' as const, assignee: 'crew 3' },
    ]) {
      const stored = await repository.updateWorkOrder('w1', (order) => {
        const result = applyVerdict(order, { by: 'op', at: 2_000, note: null, ...input });
        return result.ok ? result.order : undefined;
      });
      assert.ok(stored.ok);
    }
    const second = applyAlert(staleRead, draft('a2', 3_000), 'pump', 'unused');
    const recorded = await repository.recordAlert(second.alert, second.order);
    // Before: the alert's copy of the order replaced the stored one, and the verdicts were gone.
    const merged = await repository.getWorkOrder('w1');
    // Before: nothing was answered, and the caller published its own copy (`open`, unassigned).
    assert.deepEqual(recorded, { recorded: true, alert: second.alert, order: merged, opened: false });
    assert.equal(merged?.status, 'acknowledged');
    assert.equal(merged?.assignee, 'crew 3');
    assert.deepEqual(merged?.alertIds, ['a1', 'a2']);
    assert.deepEqual(
      merged?.verdicts.map((verdict) => verdict.action),
      ['acknowledge', 'assign'],
    );

    // The API process closes the order; an alert computed on the stale copy opens a new order.
    const beforeClose = await repository.getWorkOrder('w1');
    const closed = await repository.updateWorkOrder('w1', (order) => {
      const result = applyVerdict(order, { action: 'resolve', by: 'op', at: 4_000, note: null });
      return result.ok ? result.order : undefined;
    });
    assert.ok(closed.ok);
    const third = applyAlert(beforeClose, draft('a3', 5_000), 'pump', 'unused');
    const reopened = await repository.recordAlert(third.alert, third.order);
    assert.equal((await repository.getWorkOrder('w1'))?.status, 'resolved', 'the closed order stays closed');
    const active = await repository.activeWorkOrder('pump-2');
    assert.ok(active !== undefined && active.id !== 'w1');
    assert.deepEqual(active.alertIds, ['a3']);
    const [alert] = await repository.listAlerts({ asset: 'pump-2', limit: 1 });
    assert.equal(alert?.workOrder, active.id, 'the alert names the order it went to');
    assert.deepEqual(reopened, { recorded: true, alert, order: active, opened: true });
  },
);
