import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAlert, storedWorkOrder } from './work-order.ts';
import type { AlertDraft } from './work-order.ts';

function draft(id: string, sensor: string, ts: number, score: number, asset = 'pump-1'): AlertDraft {
  return { id, sensor, asset, score, threshold: 0.5, ts, evidence: [] };
}

test('the first alert of an asset opens a work order that starts its lead-time clock', () => {
  const { order, alert, opened } = applyAlert(undefined, draft('a1', 's1', 1000, 0.8), 'pump', 'wo1');
  assert.equal(opened, true);
  assert.equal(order.id, 'wo1');
  assert.equal(order.status, 'open');
  assert.equal(order.firstWarningAt, 1000);
  assert.deepEqual(order.alertIds, ['a1']);
  assert.equal(alert.workOrder, 'wo1');
});

test('further alerts of the same asset update its one active order instead of opening another', () => {
  const first = applyAlert(undefined, draft('a1', 's1', 1000, 0.6), 'pump', 'wo1').order;
  const second = applyAlert(first, draft('a2', 's2', 5000, 0.95), 'pump', 'wo2');
  assert.equal(second.opened, false);
  assert.equal(second.order.id, 'wo1');
  assert.equal(second.alert.workOrder, 'wo1');
  assert.deepEqual(second.order.alertIds, ['a1', 'a2']);
  assert.deepEqual(second.order.sensors, ['s1', 's2']);
  assert.equal(second.order.maxScore, 0.95);
  assert.equal(second.order.firstWarningAt, 1000);
  assert.equal(second.order.lastAlertAt, 5000);
  const third = applyAlert(second.order, draft('a3', 's1', 9000, 0.7), 'pump', 'wo3').order;
  assert.deepEqual(third.sensors, ['s1', 's2'], 'a sensor is counted once');
  assert.equal(third.maxScore, 0.95, 'the strongest score is kept');
});

test('severity rises with more sensors alerting and never drops while the order is active', () => {
  let order = applyAlert(undefined, draft('a1', 's1', 0, 0.55), 'valve', 'wo1').order;
  const initial = order.severity;
  for (const [index, sensor] of ['s2', 's3', 's4'].entries()) {
    order = applyAlert(order, draft(`b${index}`, sensor, 10 + index, 0.99), 'valve', 'x').order;
  }
  assert.equal(initial, 'low');
  assert.equal(order.severity, 'critical');
  const after = applyAlert(order, draft('c', 's1', 20, 0.51), 'valve', 'x').order;
  assert.equal(after.severity, 'critical');
});

test('an alert after the order was closed opens a new order', () => {
  const closed = {
    ...applyAlert(undefined, draft('a1', 's1', 0, 0.8), 'pump', 'wo1').order,
    status: 'resolved' as const,
  };
  const next = applyAlert(closed, draft('a2', 's1', 10, 0.8), 'pump', 'wo2');
  assert.equal(next.opened, true);
  assert.equal(next.order.id, 'wo2');
  assert.deepEqual(next.order.alertIds, ['a2']);
});

test('a new order has no assignee; an order stored before assignments existed reads back as unassigned', () => {
  const { order } = applyAlert(undefined, draft('a1', 's1', 1000, 0.8), 'pump', 'wo1');
  assert.equal(order.assignee, null);
  const { assignee: _, ...old } = order;
  assert.deepEqual(storedWorkOrder(old), order);
  assert.equal(storedWorkOrder({ ...old, assignee: 'crew 2' }).assignee, 'crew 2');
});
