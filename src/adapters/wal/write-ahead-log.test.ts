import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenSegment } from './segments.ts';
import { encodeWalRecord, type WalBatch } from './wal-codec.ts';
import { replayWal } from './wal-replay.ts';
import { WriteAheadLog } from './write-ahead-log.ts';

function failure(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

/** Real segment files whose writes, syncs and opens fail while the test says so. */
class FaultyFiles {
  /** Bytes that still fit on the "disk" (undefined: no limit); a write beyond them is cut short. */
  spaceLeft: number | undefined;
  failSync = false;
  failOpen = false;

  readonly open: OpenSegment = async (path) => {
    if (this.failOpen) throw failure('EMFILE', 'too many open files, open');
    const handle = await open(path, 'a');
    return {
      writev: async (buffers) => {
        if (this.spaceLeft === undefined) return handle.writev(buffers);
        if (this.spaceLeft === 0) throw failure('ENOSPC', 'no space left on device, write');
        // As the kernel does on a full disk: write what fits and report the count, no error.
        const bytes = Buffer.concat(buffers);
        const fits = bytes.subarray(0, Math.min(bytes.length, this.spaceLeft));
        this.spaceLeft -= fits.length;
        return handle.write(fits);
      },
      datasync: () =>
        this.failSync ? Promise.reject(failure('EIO', 'i/o error, fdatasync')) : handle.datasync(),
      truncate: (length) => handle.truncate(length),
      links: () => fstatSync(handle.fd).nlink,
      close: () => handle.close(),
    };
  };
}

function batch(keys: number[], firstTs: number, defines: [number, string][] = []): WalBatch {
  return {
    defines,
    keys: Uint32Array.from(keys),
    timestamps: Float64Array.from(keys, (_, i) => firstTs + i),
    values: Float64Array.from(keys, (key) => key),
    length: keys.length,
  };
}

/** Replays `directory`; every key a record uses must be declared earlier in the same segment. */
async function replayStandalone(directory: string): Promise<{ firstTs: number[]; tornBytes: number }> {
  const firstTs: number[] = [];
  const declared = new Set<number>();
  const { tornBytes } = await replayWal(directory, async (record) => {
    for (const [key] of record.defines) declared.add(key);
    for (const key of record.keys) assert.ok(declared.has(key), `key ${key} used before it is declared`);
    firstTs.push(record.timestamps[0] as number);
  });
  return { firstTs, tornBytes };
}

async function withLog(run: (directory: string, files: FaultyFiles, wal: WriteAheadLog) => Promise<void>) {
  const directory = mkdtempSync(join(tmpdir(), 'urban-brain-wal-unit-'));
  const files = new FaultyFiles();
  const wal = await WriteAheadLog.open(directory, { openSegment: files.open });
  try {
    await run(directory, files, wal);
  } finally {
    await wal.close().catch(() => undefined);
    rmSync(directory, { recursive: true, force: true });
  }
}

const segmentSize = (directory: string) => statSync(join(directory, 'wal-000000000001.log')).size;

test('a write cut short by a full disk is not acknowledged and is cut off, so records written once space is back survive a restart', async () => {
  // Regression: the short write was acknowledged and later records sat behind the partial one.
  await withLog(async (directory, files, wal) => {
    await wal.append(
      batch([0, 1], 1000, [
        [0, 'a'],
        [1, 'b'],
      ]),
    );
    const whole = segmentSize(directory);
    files.spaceLeft = 20;
    await assert.rejects(wal.append(batch([0, 1], 2000)), { code: 'ENOSPC' });
    assert.equal(segmentSize(directory), whole, 'the partial record is cut off');
    files.spaceLeft = undefined;
    await wal.append(batch([1, 0], 3000));
    await wal.close();
    assert.deepEqual(await replayStandalone(directory), { firstTs: [1000, 3000], tornBytes: 0 });
  });
});

test('a record written into the memory of an earlier one is byte for byte the record in fresh, zeroed memory', async () => {
  // The log uses a record's memory again once it is written; padding left from the earlier
  // record (all ones here) would make the file depend on what was written before.
  await withLog(async (directory, _files, wal) => {
    const earlier: WalBatch = {
      defines: [],
      keys: new Uint32Array(64).fill(0xffffffff),
      timestamps: new Float64Array(64).fill(Number.NaN),
      values: new Float64Array(64).fill(-1),
      length: 64,
    };
    const later = batch([0, 1, 2], 5000, [
      [0, 'pump-1'],
      [1, 'pump-22'],
      [2, 'bridge'],
    ]);
    await wal.append(earlier);
    await wal.append(later);
    const expected = Buffer.concat([
      encodeWalRecord(earlier, Buffer.alloc),
      encodeWalRecord(later, Buffer.alloc),
    ]);
    assert.deepEqual(readFileSync(join(directory, 'wal-000000000001.log')), expected);
  });
});

test('a failed sync is not acknowledged and its record is cut off', async () => {
  await withLog(async (directory, files, wal) => {
    await wal.append(batch([0], 1000, [[0, 'a']]));
    files.failSync = true;
    await assert.rejects(wal.append(batch([0], 2000)), { code: 'EIO' });
    files.failSync = false;
    await wal.append(batch([0], 3000));
    await wal.close();
    assert.deepEqual((await replayStandalone(directory)).firstTs, [1000, 3000]);
  });
});

test('a key declared by a failed write is declared again, and records queued behind it fail with it', async () => {
  // Regression: the key stayed marked as declared, so later records used a key the log never named.
  await withLog(async (directory, files, wal) => {
    files.spaceLeft = 0;
    assert.equal(wal.needsDefine(5), true);
    const first = wal.append(batch([5], 1000, [[5, 'five']]));
    assert.equal(wal.needsDefine(5), false);
    const behind = wal.append(batch([5], 2000));
    await assert.rejects(first, { code: 'ENOSPC' });
    await assert.rejects(behind, { code: 'ENOSPC' });
    files.spaceLeft = undefined;
    assert.equal(wal.needsDefine(5), true, 'the key is declared again');
    await wal.append(batch([5], 3000, [[5, 'five']]));
    await wal.close();
    assert.deepEqual((await replayStandalone(directory)).firstTs, [3000]);
  });
});

test('a rotation whose new segment cannot be opened keeps the current segment in use', async () => {
  // Regression: the current file was closed first, so every later write failed with "file closed".
  await withLog(async (directory, files, wal) => {
    await wal.append(batch([0], 1000, [[0, 'a']]));
    files.failOpen = true;
    await assert.rejects(wal.rotate(), { code: 'EMFILE' });
    assert.equal(wal.currentSegment, 1);
    await wal.append(batch([0], 2000, wal.needsDefine(0) ? [[0, 'a']] : []));
    files.failOpen = false;
    assert.equal(await wal.rotate(), 2);
    await wal.append(batch([0], 3000, wal.needsDefine(0) ? [[0, 'a']] : []));
    await wal.close();
    assert.deepEqual((await replayStandalone(directory)).firstTs, [1000, 2000, 3000]);
  });
});

test('a segment deleted while open fails the write; once its folder is back the log goes on in a new segment', async () => {
  await withLog(async (directory, _files, wal) => {
    await wal.append(batch([0], 1000, [[0, 'a']]));
    rmSync(directory, { recursive: true });
    await assert.rejects(wal.append(batch([0], 2000)), /wal-000000000001\.log was deleted/);
    await assert.rejects(wal.append(batch([0], 3000, [[0, 'a']])), { code: 'ENOENT' });
    mkdirSync(directory);
    await wal.append(batch([0], 4000, wal.needsDefine(0) ? [[0, 'a']] : []));
    await wal.close();
    assert.deepEqual(readdirSync(directory), ['wal-000000000002.log']);
    assert.deepEqual((await replayStandalone(directory)).firstTs, [4000]);
  });
});

test('opening uses an empty last segment again instead of adding one at every start', async () => {
  await withLog(async (directory) => {
    const again = await WriteAheadLog.open(directory);
    assert.equal(again.currentSegment, 1);
    await again.close();
    assert.deepEqual(readdirSync(directory), ['wal-000000000001.log']);
  });
});

test('records submitted after rotate() declare their keys again, so each segment replays on its own', async () => {
  await withLog(async (directory, _files, wal) => {
    assert.equal(wal.needsDefine(0), true);
    const first = wal.append(batch([0], 1000, [[0, 'a']]));
    const rotated = wal.rotate();
    assert.equal(wal.needsDefine(0), true, 'the rotation is still waiting for the first write');
    const second = wal.append(batch([0], 2000, [[0, 'a']]));
    await Promise.all([first, rotated, second]);
    wal.removeBefore(await rotated);
    await wal.close();
    assert.deepEqual((await replayStandalone(directory)).firstTs, [2000]);
  });
});
