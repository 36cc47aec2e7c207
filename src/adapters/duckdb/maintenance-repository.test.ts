import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyVerdict } from '../../core/maintenance/lifecycle.ts';
import { applyAlert } from '../../core/maintenance/work-order.ts';
import { checkMaintenanceRepository } from '../maintenance-repository.contract.ts';
import { openDatabase } from './database.ts';
import { DuckDbMaintenanceRepository } from './maintenance-repository.ts';
import { allSavedStates } from '../saved-states.test-helpers.ts';
import { DetectorSnapshotFile, snapshotPathIn } from '../files/detector-snapshot-file.ts';
import type { DetectorState } from '../../ports/maintenance.ts';

function alertDraft(id: string, asset: string, ts: number) {
  return {
    id,
    sensor: `${asset}-temp`,
    asset,
    score: 0.9,
    threshold: 0.5,
    ts,
    evidence: [{ ts, value: 1.5, score: 0.9 }],
  };
}

test('alerts, work orders, verdicts and detector states survive closing and reopening the database', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'maintenance-'));
  try {
    let database = await openDatabase({ dataDir });
    let repository = await DuckDbMaintenanceRepository.open(database);
    const pump = applyAlert(undefined, alertDraft('a1', 'pump-1', 1000), 'pump', 'wo1');
    await repository.recordAlert(pump.alert, pump.order);
    const updated = applyAlert(pump.order, alertDraft('a2', 'pump-1', 2000), 'pump', 'unused');
    await repository.recordAlert(updated.alert, updated.order);
    const bridge = applyAlert(undefined, alertDraft('a3', 'bridge-1', 1500), 'bridge', 'wo2');
    await repository.recordAlert(bridge.alert, bridge.order);
    const acknowledged = applyVerdict(updated.order, {
      action: 'acknowledge',
      by: 'op',
      at: 3000,
      note: "it's hot",
    });
    assert.ok(acknowledged.ok);
    await repository.saveWorkOrder(acknowledged.order);
    await repository.saveDetectorStates([
      { sensor: 's1', state: Uint8Array.of(1, 2, 3), lastTs: 10, lastAlertAt: null },
      { sensor: 's2', state: Uint8Array.of(4), lastTs: 20, lastAlertAt: 15 },
    ]);
    await repository.saveDetectorStates([
      { sensor: 's1', state: Uint8Array.of(9), lastTs: 30, lastAlertAt: 25 },
    ]);
    await repository.close();
    database.close();

    database = await openDatabase({ dataDir });
    repository = await DuckDbMaintenanceRepository.open(database);
    assert.deepEqual(await repository.getWorkOrder('wo1'), acknowledged.order);
    assert.equal(await repository.getWorkOrder('missing'), undefined);
    assert.equal((await repository.activeWorkOrder('pump-1'))?.id, 'wo1');
    assert.equal(await repository.activeWorkOrder('nothing'), undefined);
    assert.deepEqual(
      (await repository.listWorkOrders({ limit: 10 })).map((o) => o.id),
      ['wo1', 'wo2'],
    );
    assert.deepEqual(
      (await repository.listWorkOrders({ status: 'open', limit: 10 })).map((o) => o.id),
      ['wo2'],
    );
    assert.deepEqual(
      (await repository.listAlerts({ limit: 10 })).map((a) => a.id),
      ['a2', 'a3', 'a1'],
    );
    assert.deepEqual(
      (await repository.listAlerts({ status: 'acknowledged', asset: 'pump-1', limit: 1 })).map((a) => a.id),
      ['a2'],
    );
    assert.deepEqual((await repository.listAlerts({ limit: 1 }))[0], updated.alert);
    assert.deepEqual(
      (await repository.listAlerts({ limit: 2, offset: 1 })).map((a) => a.id),
      ['a3', 'a1'],
      'a page further on',
    );
    assert.deepEqual(
      (await repository.listWorkOrders({ limit: 10, offset: 1 })).map((o) => o.id),
      ['wo2'],
    );
    const states = (await allSavedStates(repository)).sort((a, b) => a.sensor.localeCompare(b.sensor));
    assert.deepEqual(
      states.map((s) => [s.sensor, [...s.state], s.lastTs, s.lastAlertAt]),
      [
        ['s1', [9], 30, 25],
        ['s2', [4], 20, 15],
      ],
    );
    const connection = await database.connect();
    const verdicts = await connection.runAndReadAll(
      'SELECT work_order, action, decided_by, note FROM maintenance_verdicts',
    );
    assert.deepEqual(verdicts.getRows(), [['wo1', 'acknowledge', 'op', "it's hot"]]);
    await repository.close();
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the DuckDB maintenance repository keeps the work-order contract, and assignments and reopens survive a restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'maintenance-contract-'));
  try {
    let database = await openDatabase({ dataDir });
    let repository = await DuckDbMaintenanceRepository.open(database);
    await checkMaintenanceRepository(repository);
    const kept = await repository.getWorkOrder('c-w1');
    await repository.close();
    database.close();

    database = await openDatabase({ dataDir });
    repository = await DuckDbMaintenanceRepository.open(database);
    assert.deepEqual(await repository.getWorkOrder('c-w1'), kept);
    assert.equal(kept?.assignee, 'crew 7');
    assert.deepEqual(
      (await repository.listWorkOrders({ assignee: 'crew 7', limit: 10 })).map((order) => order.id),
      ['c-w1'],
    );
    const connection = await database.connect();
    const verdicts = await connection.runAndReadAll(
      'SELECT action, from_status, to_status, assignee FROM maintenance_verdicts ORDER BY seq',
    );
    assert.deepEqual(verdicts.getRows(), [
      ['assign', 'open', 'open', 'crew 7'],
      ['resolve', 'open', 'resolved', null],
      ['reopen', 'resolved', 'open', null],
      ['false-alarm', 'open', 'false-alarm', null],
    ]);
    await repository.close();
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a DuckDB file made before assignments existed opens: its orders read as unassigned and can be assigned', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'maintenance-old-'));
  try {
    let database = await openDatabase({ dataDir });
    const old = await database.connect();
    // The tables as they were before the assignee columns.
    await old.run(`CREATE TABLE maintenance_work_orders (
       id VARCHAR PRIMARY KEY, asset VARCHAR NOT NULL, status VARCHAR NOT NULL,
       last_alert_at DOUBLE NOT NULL, body VARCHAR NOT NULL)`);
    await old.run(`CREATE TABLE maintenance_verdicts (
       work_order VARCHAR NOT NULL, seq INTEGER NOT NULL, action VARCHAR NOT NULL, from_status VARCHAR NOT NULL,
       to_status VARCHAR NOT NULL, decided_by VARCHAR NOT NULL, decided_at DOUBLE NOT NULL, note VARCHAR,
       PRIMARY KEY (work_order, seq))`);
    const { order } = applyAlert(undefined, alertDraft('a1', 'pump-1', 1000), 'pump', 'wo1');
    const acknowledged = applyVerdict(order, { action: 'acknowledge', by: 'op', at: 2000, note: null });
    assert.ok(acknowledged.ok);
    const { assignee: _, ...oldBody } = acknowledged.order;
    await old.run('INSERT INTO maintenance_work_orders VALUES ($1, $2, $3, $4, $5)', [
      'wo1',
      'pump-1',
      'acknowledged',
      1000,
      JSON.stringify(oldBody),
    ]);
    await old.run(
      "INSERT INTO maintenance_verdicts VALUES ('wo1', 0, 'acknowledge', 'open', 'acknowledged', 'op', 2000, NULL)",
    );
    old.closeSync();
    database.close();

    database = await openDatabase({ dataDir });
    const repository = await DuckDbMaintenanceRepository.open(database);
    assert.deepEqual(
      await repository.getWorkOrder('wo1'),
      acknowledged.order,
      'read back with assignee null',
    );
    assert.equal((await repository.listWorkOrders({ limit: 10 }))[0]?.assignee, null);
    const assigned = await repository.updateWorkOrder('wo1', (current) => {
      const result = applyVerdict(current, {
        action: 'assign',
        by: 'op',
        at: 3000,
        note: null,
        assignee: 'crew 2',
      });
      return result.ok ? result.order : undefined;
    });
    assert.ok(assigned.ok);
    assert.deepEqual(
      (await repository.listWorkOrders({ assignee: 'crew 2', limit: 10 })).map((entry) => entry.id),
      ['wo1'],
    );
    const connection = await database.connect();
    const verdicts = await connection.runAndReadAll(
      'SELECT seq, action, assignee FROM maintenance_verdicts ORDER BY seq',
    );
    assert.deepEqual(verdicts.getRows(), [
      [0, 'acknowledge', null],
      [1, 'assign', 'crew 2'],
    ]);
    await repository.close();
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a DuckDB file whose detector states were keyed by sensor opens with its states, and they can be replaced', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'maintenance-keyed-'));
  try {
    let database = await openDatabase({ dataDir });
    const connection = await database.connect();
    await connection.run(`CREATE TABLE detector_states (
      sensor VARCHAR PRIMARY KEY, state BLOB NOT NULL, last_ts DOUBLE NOT NULL, last_alert_at DOUBLE)`);
    await connection.run(
      `INSERT INTO detector_states VALUES ('s1', '\\x01\\x02'::BLOB, 10, NULL), ('s2', '\\x03'::BLOB, 20, 15)`,
    );
    database.close();

    database = await openDatabase({ dataDir });
    const repository = await DuckDbMaintenanceRepository.open(database);
    await repository.saveDetectorStates([
      { sensor: 's1', state: Uint8Array.of(9), lastTs: 30, lastAlertAt: 25 },
    ]);
    const states = (await allSavedStates(repository)).sort((a, b) => a.sensor.localeCompare(b.sensor));
    assert.deepEqual(
      states.map((s) => [s.sensor, [...s.state], s.lastTs, s.lastAlertAt]),
      [
        ['s1', [9], 30, 25],
        ['s2', [3], 20, 15],
      ],
    );
    await repository.close();
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('replacing 100,000 detector states fits in 64 MB of DuckDB memory', async () => {
  // Replacing them through a primary key on the sensor ran out of such a limit at the first chunk.
  const dataDir = mkdtempSync(join(tmpdir(), 'maintenance-states-'));
  try {
    const database = await openDatabase({ dataDir, memoryLimitMegabytes: 64, threads: 2 });
    const repository = await DuckDbMaintenanceRepository.open(database);
    const state = new Uint8Array(936);
    for (let pass = 1; pass <= 2; pass++)
      for (let start = 0; start < 100_000; start += 10_000) {
        const chunk = Array.from({ length: 10_000 }, (_, i) => ({
          sensor: `s${start + i}`,
          state: state.fill(pass),
          lastTs: pass,
          lastAlertAt: null,
        }));
        await repository.saveDetectorStates(chunk);
      }
    const connection = await database.connect();
    const saved = await connection.runAndReadAll(
      'SELECT count(*), count(DISTINCT sensor), min(last_ts), count(DISTINCT state), hex(any_value(state))[1:4] FROM detector_states',
    );
    assert.deepEqual(saved.getRows(), [[100_000n, 100_000n, 2, 1n, '0202']]);
    await repository.close();
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('states saved in the database by an earlier version are read until the first snapshot file, then deleted from it', async () => {
  const plain = (states: DetectorState[]) => states.map((saved) => ({ ...saved, state: [...saved.state] }));
  const dataDir = mkdtempSync(join(tmpdir(), 'maintenance-'));
  try {
    const database = await openDatabase({ dataDir });
    const repository = await DuckDbMaintenanceRepository.open(database);
    const old = { sensor: 's1', state: Uint8Array.of(1, 2), lastTs: 10, lastAlertAt: null };
    await repository.saveDetectorStates([old]);
    await repository.markStatesSaved(100);
    const file = new DetectorSnapshotFile(snapshotPathIn(dataDir), repository);
    assert.deepEqual(plain(await allSavedStates(file)), plain([old]));
    assert.equal(await file.statesSavedAt(), 100);
    const newer = { ...old, state: Uint8Array.of(3), lastTs: 20 };
    await file.beginSnapshot();
    await file.saveDetectorStates([newer]);
    await file.markStatesSaved(200);
    assert.deepEqual(await allSavedStates(repository), []);
    assert.equal(await repository.statesSavedAt(), undefined);
    assert.deepEqual(plain(await allSavedStates(file)), plain([newer]));
    assert.equal(await file.statesSavedAt(), 200);
    await repository.close();
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
