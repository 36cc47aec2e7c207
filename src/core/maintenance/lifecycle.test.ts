import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyVerdict } from './lifecycle.ts';
import { applyAlert } from './work-order.ts';
import type { WorkOrder } from './work-order.ts';

function openOrder(firstWarningAt = 1000): WorkOrder {
  const alert = {
    id: 'a1',
    sensor: 's1',
    asset: 'pump-1',
    score: 0.9,
    threshold: 0.5,
    ts: firstWarningAt,
    evidence: [],
  };
  return applyAlert(undefined, alert, 'pump', 'wo1').order;
}

test('open → acknowledged → resolved records each verdict with who, when and the note', () => {
  const acknowledged = applyVerdict(openOrder(), {
    action: 'acknowledge',
    by: 'key-op',
    at: 2000,
    note: 'crew sent',
  });
  assert.equal(acknowledged.ok, true);
  if (!acknowledged.ok) return;
  assert.equal(acknowledged.order.status, 'acknowledged');
  const resolved = applyVerdict(acknowledged.order, {
    action: 'resolve',
    by: 'key-op',
    at: 9000,
    note: null,
    failureAt: 7000,
  });
  assert.equal(resolved.ok, true);
  if (!resolved.ok) return;
  assert.equal(resolved.order.status, 'resolved');
  assert.equal(resolved.order.closedAt, 9000);
  assert.equal(resolved.order.leadTimeMillis, 6000, 'from the first warning to the reported failure');
  assert.deepEqual(
    resolved.order.verdicts.map((v) => [v.action, v.from, v.to, v.by, v.at, v.note]),
    [
      ['acknowledge', 'open', 'acknowledged', 'key-op', 2000, 'crew sent'],
      ['resolve', 'acknowledged', 'resolved', 'key-op', 9000, null],
    ],
  );
});

test('a false alarm closes the order without a lead time', () => {
  const result = applyVerdict(openOrder(), {
    action: 'false-alarm',
    by: 'op',
    at: 5000,
    note: 'sensor cleaned',
  });
  assert.equal(result.ok, true);
  if (!result.ok) return;
  assert.equal(result.order.status, 'false-alarm');
  assert.equal(result.order.leadTimeMillis, null);
  assert.equal(result.order.closedAt, 5000);
});

test('invalid transitions are values naming the status and action, and change nothing', () => {
  const order = openOrder();
  const acknowledged = applyVerdict(order, { action: 'acknowledge', by: 'op', at: 1, note: null });
  assert.ok(acknowledged.ok);
  const twice = applyVerdict(acknowledged.order, { action: 'acknowledge', by: 'op', at: 2, note: null });
  assert.deepEqual(twice, {
    ok: false,
    reason: 'invalid-transition',
    status: 'acknowledged',
    action: 'acknowledge',
  });
  const resolved = applyVerdict(order, { action: 'resolve', by: 'op', at: 3, note: null });
  assert.ok(resolved.ok);
  for (const action of ['acknowledge', 'resolve', 'false-alarm'] as const) {
    const result = applyVerdict(resolved.order, { action, by: 'op', at: 4, note: null });
    assert.equal(result.ok, false, `${action} on a resolved order`);
  }
  assert.equal(order.status, 'open', 'the input order is not mutated');
  assert.equal(order.verdicts.length, 0);
});

test('a failure before the first warning gives a negative lead time: the warning came late', () => {
  const result = applyVerdict(openOrder(), {
    action: 'resolve',
    by: 'op',
    at: 9000,
    note: null,
    failureAt: 0,
  });
  assert.ok(result.ok);
  assert.equal(result.order.leadTimeMillis, 0 - result.order.firstWarningAt);
  assert.ok((result.order.leadTimeMillis ?? 0) < 0);
});
