import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createEmbeddedStorage } from '../../services/ingest/embedded.ts';
import { DuckDbAmbulanceTrips } from './ambulance-trips.ts';
import { backupsBeyond, DuckDbBackups } from './backup.ts';
import { snapshotPathIn } from '../files/detector-snapshot-file.ts';
import { openDatabase } from './database.ts';
import { DuckDbKeyStore } from './keys-store.ts';
import { readingSchema } from './reading-schema.ts';

const silent = () => undefined;

test('a backup holds every acknowledged reading, the keys and the dispatch order, and opens as a data folder', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'backup-'));
  const restored = mkdtempSync(join(tmpdir(), 'backup-restored-'));
  try {
    // No background flush: the acknowledged readings are only in the write-ahead log and in memory.
    const pipeline = { flushIntervalMillis: 3_600_000, checkpointIntervalMillis: 3_600_000 };
    const storage = await createEmbeddedStorage({ dataDir, pipeline, log: silent });
    const base = Date.now() - 3_600_000;
    const readings = Array.from({ length: 1000 }, (_, i) => ({
      sensor: `s${i % 10}`,
      ts: base + i,
      value: i,
    }));
    assert.deepEqual(await storage.ingestor.ingest(readings), { ok: true, stored: 1000 });
    const trips = await DuckDbAmbulanceTrips.open(storage.database);
    await trips.add({ id: 'a', hospital: 'north', level: 2, sentMillis: 1, untilMillis: base * 2 });
    await trips.add({ id: 'b', hospital: 'north', level: 2, sentMillis: 2, untilMillis: base * 2 });
    const keys = await DuckDbKeyStore.open(storage.database);
    const key = {
      hash: 'h1',
      id: 'k1',
      name: 'ops',
      role: 'operator' as const,
      createdMillis: 5,
      revokedMillis: null,
    };
    await keys.add(key);
    const states = snapshotPathIn(dataDir);
    writeFileSync(states, "the detectors' states");
    const backups = await DuckDbBackups.open({
      database: storage.database,
      directory: join(dataDir, 'backups'),
      files: [states, join(dataDir, 'never-written')],
      flush: () => storage.forceFlush(),
      now: () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    });
    const outcome = await backups.create();
    await storage.shutdown();

    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.equal(outcome.path, join(dataDir, 'backups', '2026-01-02T03-04-05.000Z', 'urban-brain.duckdb'));
    assert.equal(outcome.readings, 1000);
    assert.equal(outcome.bytes, statSync(outcome.path).size);
    assert.deepEqual(
      readdirSync(dirname(outcome.path)).sort(),
      ['detector-states.snapshot', 'urban-brain.duckdb'],
      'the files beside the database copied (those that exist), no temporary file or log left',
    );
    assert.equal(
      readFileSync(join(dirname(outcome.path), 'detector-states.snapshot'), 'utf8'),
      "the detectors' states",
    );

    copyFileSync(outcome.path, join(restored, 'urban-brain.duckdb'));
    const again = await createEmbeddedStorage({ dataDir: restored, log: silent });
    try {
      const latest = await again.queries.latest(['s9']);
      assert.deepEqual(latest.get('s9'), { ts: base + 999, value: 999 });
      const series = await again.queries.series('s3', base, base + 1000, 1, 'count');
      assert.equal(
        series.reduce((sum, point) => sum + point.value, 0),
        100,
      );
      assert.deepEqual(await (await DuckDbKeyStore.open(again.database)).findByHash('h1'), key);
      // The dispatch sequence goes on where it was: a trip added after the restore comes last.
      const restoredTrips = await DuckDbAmbulanceTrips.open(again.database);
      await restoredTrips.add({ id: 'c', hospital: 'north', level: 2, sentMillis: 3, untilMillis: base * 2 });
      assert.deepEqual(
        (await restoredTrips.current(base)).map((trip) => trip.id),
        ['a', 'b', 'c'],
      );
      assert.deepEqual(await again.ingestor.ingest([{ sensor: 's0', ts: base + 5000, value: 1 }]), {
        ok: true,
        stored: 1,
      });
    } finally {
      await again.shutdown();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(restored, { recursive: true, force: true });
  }
});

test('a backup that fails midway leaves no file, says why, and the next one works', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'backup-failed-'));
  try {
    const database = await openDatabase({ dataDir });
    const connection = await database.connect();
    await connection.run('CREATE TABLE other (id INTEGER)');
    const directory = join(dataDir, 'backups');
    const backups = await DuckDbBackups.open({ database, directory, flush: async () => undefined });
    // The copy is written, then counting the readings fails: the tables are missing.
    const failed = await backups.create();
    assert.equal(failed.ok, false);
    assert.ok(!failed.ok && failed.reason === 'failed');
    assert.match(failed.message, /^backup to .*urban-brain\.duckdb failed: .*readings/);
    assert.deepEqual(readdirSync(directory), [], 'the folder of the failed backup is removed');

    for (const statement of readingSchema) await connection.run(statement);
    const next = await backups.create();
    assert.ok(next.ok, JSON.stringify(next));
    assert.equal(next.readings, 0);
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a backup where the backups folder cannot be made fails before copying anything', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'backup-unwritable-'));
  try {
    const database = await openDatabase({ dataDir });
    // A file where the folder should be: mkdir fails as on a read-only mount, even for root.
    const directory = join(dataDir, 'urban-brain.duckdb', 'backups');
    const backups = await DuckDbBackups.open({ database, directory, flush: async () => undefined });
    const outcome = await backups.create();
    assert.ok(!outcome.ok && outcome.reason === 'failed');
    assert.match(outcome.message, /ENOTDIR/);
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('one backup at a time: a second is busy, and stop waits for the running one and refuses more', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'backup-busy-'));
  try {
    const database = await openDatabase({ dataDir });
    const connection = await database.connect();
    for (const statement of readingSchema) await connection.run(statement);
    let release = () => {};
    const flushed = new Promise<void>((resolve) => (release = resolve));
    const directory = join(dataDir, 'backups');
    const backups = await DuckDbBackups.open({ database, directory, flush: () => flushed });
    const first = backups.create();
    assert.deepEqual(await backups.create(), { ok: false, reason: 'busy' });
    let stopped = false;
    const stopping = backups.stop().then(() => (stopped = true));
    assert.deepEqual(await backups.create(), { ok: false, reason: 'stopping' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(stopped, false, 'stop waits for the running backup');
    release();
    assert.equal((await first).ok, true);
    await stopping;
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('with keep, a backup deletes the oldest beyond the newest N, and nothing it did not make', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'backup-keep-'));
  try {
    const database = await openDatabase({ dataDir });
    const connection = await database.connect();
    for (const statement of readingSchema) await connection.run(statement);
    const directory = join(dataDir, 'backups');
    let clock = Date.UTC(2026, 10, 29, 12);
    const backups = await DuckDbBackups.open({
      database,
      directory,
      flush: async () => undefined,
      keep: 2,
      now: () => new Date((clock += 60_000)),
    });
    // Beside the backups: an operator's own folder, and a backup folder still being written.
    mkdirSync(join(directory, 'keep-me'), { recursive: true });
    mkdirSync(join(directory, '2020-01-01T00-00-00.000Z'));
    writeFileSync(join(directory, '2020-01-01T00-00-00.000Z', 'urban-brain.duckdb.partial'), 'x');
    const made: string[] = [];
    const removed: string[][] = [];
    for (let backup = 0; backup < 4; backup += 1) {
      const outcome = await backups.create();
      assert.ok(outcome.ok, JSON.stringify(outcome));
      made.push(dirname(outcome.path));
      removed.push(outcome.removed);
    }
    assert.deepEqual(removed, [[], [], [made[0]], [made[1]]]);
    assert.deepEqual(readdirSync(directory).sort(), [
      '2020-01-01T00-00-00.000Z',
      '2026-11-29T12-03-00.000Z',
      '2026-11-29T12-04-00.000Z',
      'keep-me',
    ]);
    assert.deepEqual(backupsBeyond(directory, 1), [made[2]]);
    assert.deepEqual(backupsBeyond(join(dataDir, 'none'), 1), []);
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
