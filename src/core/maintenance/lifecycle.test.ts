import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyVerdict, maxFailureBeforeWarningMillis } from './lifecycle.ts';
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

test('a failure time more than 30 days before the first warning is refused as a value: epoch seconds sent as milliseconds', () => {
  const firstWarningAt = Date.parse('2026-03-01T00:00:00Z');
  const order = openOrder(firstWarningAt);
  // Before: accepted, and the order kept a lead time of minus 56 years.
  const seconds = applyVerdict(order, {
    action: 'resolve',
    by: 'op',
    at: firstWarningAt + 1000,
    note: null,
    failureAt: Math.floor(firstWarningAt / 1000),
  });
  assert.deepEqual(seconds, {
    ok: false,
    reason: 'failure-before-warning',
    failureAt: Math.floor(firstWarningAt / 1000),
    firstWarningAt,
  });
  const lateWarning = applyVerdict(order, {
    action: 'resolve',
    by: 'op',
    at: firstWarningAt + 1000,
    note: null,
    failureAt: firstWarningAt - maxFailureBeforeWarningMillis,
  });
  assert.ok(lateWarning.ok, 'a warning 30 days late is still a late warning');
  assert.equal(lateWarning.order.leadTimeMillis, -maxFailureBeforeWarningMillis);
});

test('an active order is assigned, reassigned and cleared; each change is a verdict and the status stays', () => {
  const assigned = applyVerdict(openOrder(), {
    action: 'assign',
    by: 'op',
    at: 2000,
    note: 'nearest crew',
    assignee: 'crew 7',
  });
  assert.ok(assigned.ok);
  assert.equal(assigned.order.status, 'open');
  assert.equal(assigned.order.assignee, 'crew 7');
  assert.deepEqual(assigned.verdict, {
    action: 'assign',
    from: 'open',
    to: 'open',
    by: 'op',
    at: 2000,
    note: 'nearest crew',
    assignee: 'crew 7',
  });
  const acknowledged = applyVerdict(assigned.order, {
    action: 'acknowledge',
    by: 'op',
    at: 3000,
    note: null,
  });
  assert.ok(acknowledged.ok);
  assert.equal(acknowledged.order.assignee, 'crew 7', 'other verdicts keep the assignee');
  const again = applyVerdict(acknowledged.order, {
    action: 'assign',
    by: 'op',
    at: 4000,
    note: null,
    assignee: 'crew 7',
  });
  assert.deepEqual(again, { ok: false, reason: 'unchanged', assignee: 'crew 7' });
  const cleared = applyVerdict(acknowledged.order, {
    action: 'assign',
    by: 'op',
    at: 5000,
    note: null,
    assignee: null,
  });
  assert.ok(cleared.ok);
  assert.equal(cleared.order.status, 'acknowledged');
  assert.equal(cleared.order.assignee, null);
  assert.equal(cleared.verdict.assignee, null);
  const resolved = applyVerdict(cleared.order, { action: 'resolve', by: 'op', at: 6000, note: null });
  assert.ok(resolved.ok);
  const closed = applyVerdict(resolved.order, {
    action: 'assign',
    by: 'op',
    at: 7000,
    note: null,
    assignee: 'x',
  });
  assert.deepEqual(closed, { ok: false, reason: 'invalid-transition', status: 'resolved', action: 'assign' });
});

test('a resolved or dismissed order is reopened: open again, closing and lead time cleared, verdicts kept', () => {
  for (const action of ['resolve', 'false-alarm'] as const) {
    const done = applyVerdict(openOrder(), { action, by: 'op', at: 5000, note: null, failureAt: null });
    assert.ok(done.ok);
    const reopened = applyVerdict(done.order, {
      action: 'reopen',
      by: 'lead',
      at: 8000,
      note: 'fault is back',
    });
    assert.ok(reopened.ok, action);
    assert.equal(reopened.order.status, 'open');
    assert.equal(reopened.order.closedAt, null);
    assert.equal(reopened.order.leadTimeMillis, null);
    assert.deepEqual(
      reopened.order.verdicts.map((v) => [v.action, v.from, v.to, v.by, v.note]),
      [
        [action, 'open', action === 'resolve' ? 'resolved' : 'false-alarm', 'op', null],
        ['reopen', action === 'resolve' ? 'resolved' : 'false-alarm', 'open', 'lead', 'fault is back'],
      ],
    );
    const resolvedAgain = applyVerdict(reopened.order, { action: 'resolve', by: 'op', at: 9000, note: null });
    assert.ok(resolvedAgain.ok);
    assert.equal(resolvedAgain.order.leadTimeMillis, 9000 - 1000);
  }
  for (const order of [openOrder()]) {
    const refused = applyVerdict(order, { action: 'reopen', by: 'op', at: 2000, note: null });
    assert.deepEqual(refused, { ok: false, reason: 'invalid-transition', status: 'open', action: 'reopen' });
  }
});
