import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteAheadLog } from '../src/adapters/wal/write-ahead-log.ts';
import type { WalBatch } from '../src/adapters/wal/wal-codec.ts';

/** Replays `directory` into an array. */
async function replayAll(directory: string): Promise<{ batches: WalBatch[]; tornBytes: number }> {
  const batches: WalBatch[] = [];
  const { tornBytes } = await WriteAheadLog.replay(directory, async (batch) => {
    batches.push(batch);
  });
  return { batches, tornBytes };
}

function batch(keys: number[], firstTs: number, defines: [number, string][] = []): WalBatch {
  return {
    defines,
    keys: Uint32Array.from(keys),
    timestamps: Float64Array.from(keys, (_, i) => firstTs + i),
    values: Float64Array.from(keys, (key, i) => key * 10 + i / 4),
    length: keys.length,
  };
}

function temporaryDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'urban-brain-wal-'));
}

test('replays every acknowledged record after reopening', async () => {
  const directory = temporaryDirectory();
  try {
    const wal = await WriteAheadLog.open(directory);
    await Promise.all([
      wal.append(
        batch([0, 1], 1000, [
          [0, 'sensor-ä'],
          [1, 'b'],
        ]),
      ),
      wal.append(batch([1, 1, 0], 2000)),
    ]);
    await wal.close();
    const replay = await replayAll(directory);
    assert.equal(replay.tornBytes, 0);
    assert.equal(replay.batches.length, 2);
    assert.deepEqual(replay.batches[0]?.defines, [
      [0, 'sensor-ä'],
      [1, 'b'],
    ]);
    assert.deepEqual([...(replay.batches[1]?.keys ?? [])], [1, 1, 0]);
    assert.deepEqual([...(replay.batches[1]?.timestamps ?? [])], [2000, 2001, 2002]);
    assert.deepEqual([...(replay.batches[1]?.values ?? [])], [10, 10.25, 0.5]);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('skips a torn tail left by a crash in the middle of a write and keeps the records before it', async () => {
  const directory = temporaryDirectory();
  try {
    const wal = await WriteAheadLog.open(directory);
    await wal.append(
      batch([0, 1, 2], 1000, [
        [0, 'a'],
        [1, 'b'],
        [2, 'c'],
      ]),
    );
    await wal.append(batch([2, 1], 5000));
    const segment = join(directory, readdirSync(directory)[0] as string);
    const fullSize = statSync(segment).size;
    await wal.close();
    // Cut the second record short, as a crash during its write would.
    truncateSync(segment, fullSize - 7);
    const first = await replayAll(directory);
    assert.equal(first.batches.length, 1);
    assert.equal(first.batches[0]?.length, 3);
    assert.ok(first.tornBytes > 0);
    // Garbage instead of a cut: the checksum refuses it.
    appendFileSync(segment, Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, ...new Array(40).fill(9)]));
    const second = await replayAll(directory);
    assert.equal(second.batches.length, 1);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('concurrent appends share syncs and all resolve; rotation and removal drop covered segments', async () => {
  const directory = temporaryDirectory();
  try {
    const wal = await WriteAheadLog.open(directory);
    const first = wal.currentSegment;
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => wal.append(batch([i % 7], i, i < 7 ? [[i, `s${i}`]] : []))),
    );
    const next = await wal.rotate();
    assert.equal(next, first + 1);
    await wal.append(batch([3], 9999, [[3, 's3']]));
    wal.removeBefore(next);
    assert.deepEqual(readdirSync(directory).length, 1);
    await wal.close();
    const replay = await replayAll(directory);
    assert.equal(replay.batches.length, 1);
    assert.deepEqual(replay.batches[0]?.defines, [[3, 's3']]);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('declares a key once per segment', async () => {
  const directory = temporaryDirectory();
  try {
    const wal = await WriteAheadLog.open(directory);
    assert.equal(wal.needsDefine(5), true);
    assert.equal(wal.needsDefine(5), false);
    await wal.rotate();
    assert.equal(wal.needsDefine(5), true);
    await wal.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

const crashChild = `
import { createEmbeddedStorage } from ${JSON.stringify(new URL('../src/services/ingest/embedded.ts', import.meta.url).pathname)};
const storage = await createEmbeddedStorage({ dataDir: process.argv[1], pipeline: { flushIntervalMillis: 50 } });
const base = 1_700_000_000_000;
for (let batch = 0; ; batch++) {
  const readings = Array.from({ length: 1000 }, (_, i) => ({ sensor: 's' + (i % 50), ts: base + batch * 1000 + i, value: i }));
  const result = await storage.ingestor.ingest(readings);
  if (result.ok) process.stdout.write(batch + '\\n');
}
`;

test('every reading acknowledged before kill -9 is stored once after restart', async () => {
  const { spawn } = await import('node:child_process');
  const { createEmbeddedStorage } = await import('../src/services/ingest/embedded.ts');
  const dataDir = temporaryDirectory();
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', crashChild, dataDir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let acknowledged = -1;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (data: Buffer) => {
        const lines = data.toString().trim().split('\n');
        acknowledged = Number(lines.at(-1));
        if (acknowledged >= 40) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.once('exit', resolve));
    const storage = await createEmbeddedStorage({ dataDir });
    try {
      const connection = await storage.database.connect();
      const base = 1_700_000_000_000;
      const reader = await connection.runAndReadAll(
        `SELECT count(*) FILTER (WHERE ts < ${base + (acknowledged + 1) * 1000}), count(*), ` +
          'count(DISTINCT (sensor, ts)) FROM (SELECT * FROM readings UNION ALL SELECT * FROM readings_recent)',
      );
      const [acked, total, distinct] = (reader.getRows()[0] ?? []).map(Number);
      assert.equal(acked, (acknowledged + 1) * 1000, 'every acknowledged reading is present');
      assert.equal(total, distinct, 'no reading is stored twice');
      // The log was not yet truncated (no checkpoint ran), so replay re-sent what DuckDB already had.
      assert.ok(storage.recovered.readings >= (acknowledged + 1) * 1000);
    } finally {
      await storage.shutdown();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a log damaged in the middle refuses the start and keeps it; skipCorruptWal starts with what can be read', async () => {
  const { copyFileSync, readFileSync, writeFileSync, existsSync } = await import('node:fs');
  const { createEmbeddedStorage } = await import('../src/services/ingest/embedded.ts');
  const { WalCorruptError } = await import('../src/adapters/wal/wal-replay.ts');
  const dataDir = temporaryDirectory();
  try {
    const walDirectory = join(dataDir, 'wal');
    const storage = await createEmbeddedStorage({ dataDir, log: () => undefined });
    for (let batchIndex = 0; batchIndex < 3; batchIndex++) {
      const readings = Array.from({ length: 100 }, (_, i) => ({
        sensor: `s${i % 5}`,
        ts: batchIndex * 100 + i,
        value: i,
      }));
      assert.equal((await storage.ingestor.ingest(readings)).ok, true);
    }
    // What a crash would leave: the segment as written, not yet removed by a checkpoint.
    const segment = readdirSync(walDirectory).at(-1) as string;
    copyFileSync(join(walDirectory, segment), join(dataDir, 'kept.log'));
    await storage.shutdown();
    const data = readFileSync(join(dataDir, 'kept.log'));
    const middle = Math.floor(data.length / 2);
    data[middle] = (data[middle] as number) ^ 0xff;
    writeFileSync(join(walDirectory, segment), data);

    const lines: string[] = [];
    const refused = await createEmbeddedStorage({ dataDir, log: (line) => lines.push(line) }).catch(
      (error: unknown) => error,
    );
    assert.ok(refused instanceof WalCorruptError, String(refused));
    assert.match(refused.message, new RegExp(`${segment} at byte \\d+: .*, \\d+ bytes after it`));
    assert.ok(existsSync(join(walDirectory, segment)), 'a refused start deletes nothing');

    const started = await createEmbeddedStorage({
      dataDir,
      skipCorruptWal: true,
      log: (line) => lines.push(line),
    });
    try {
      assert.equal(started.recovered.skipped.length, 1);
      assert.equal(started.recovered.skipped[0]?.keptAs, join(dataDir, 'wal-corrupt', segment));
      assert.ok(started.recovered.readings >= 100 && started.recovered.readings < 300);
      assert.ok(existsSync(join(dataDir, 'wal-corrupt', segment)));
      assert.ok(lines.some((line) => /replaying the write-ahead log: .* readings so far/.test(line)));
    } finally {
      await started.shutdown();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
