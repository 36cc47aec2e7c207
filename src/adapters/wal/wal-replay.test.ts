import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWalRecord, type WalBatch } from './wal-codec.ts';
import { replayWal, WalCorruptError } from './wal-replay.ts';

function batch(firstTs: number, defines: [number, string][] = [[0, 'a']]): WalBatch {
  return {
    defines,
    keys: Uint32Array.of(0, 0),
    timestamps: Float64Array.of(firstTs, firstTs + 1),
    values: Float64Array.of(1, 2),
    length: 2,
  };
}

/** Writes segments of records starting at the given timestamps; returns the data folder and the log folder. */
function logWith(segments: number[][]): { dataDir: string; directory: string; paths: string[] } {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-replay-'));
  const directory = join(dataDir, 'wal');
  mkdirSync(directory);
  const paths = segments.map((records, index) => {
    const path = join(directory, `wal-${String(index + 1).padStart(12, '0')}.log`);
    writeFileSync(path, Buffer.alloc(0));
    for (const firstTs of records) appendFileSync(path, encodeWalRecord(batch(firstTs)));
    return path;
  });
  return { dataDir, directory, paths };
}

async function replayed(directory: string, skipCorrupt = false) {
  const firstTs: number[] = [];
  const replay = await replayWal(
    directory,
    async (record) => {
      firstTs.push(record.timestamps[0] as number);
    },
    { skipCorrupt, corruptDirectory: join(directory, '..', 'wal-corrupt') },
  );
  return { firstTs, replay };
}

/** Flips one byte at `offset` of `path`. */
function damage(path: string, offset: number): void {
  const data = readFileSync(path);
  data[offset] = (data[offset] as number) ^ 0xff;
  writeFileSync(path, data);
}

const recordBytes = encodeWalRecord(batch(0)).length;

function withDirectory(segments: number[][], run: (log: ReturnType<typeof logWith>) => Promise<void>) {
  const log = logWith(segments);
  return run(log).finally(() => rmSync(log.dataDir, { recursive: true, force: true }));
}

test('a damaged record with records after it refuses the replay, naming the file, the offset and the bytes after it', async () => {
  // Regression: it was taken for a torn tail; the records after it were dropped and then deleted.
  await withDirectory([[1000, 2000, 3000]], async ({ directory, paths }) => {
    const path = paths[0] as string;
    damage(path, 2 * recordBytes - 3);
    const error = await replayed(directory).catch((caught: unknown) => caught);
    assert.ok(error instanceof WalCorruptError, String(error));
    assert.equal(error.segment, path);
    assert.match(
      error.message,
      new RegExp(
        `wal-000000000001\\.log at byte ${recordBytes}: checksum mismatch, ${2 * recordBytes} bytes after it`,
      ),
    );
    assert.match(error.message, /--wal-skip-corrupt/);
    assert.equal(statSync(path).size, 3 * recordBytes, 'the segment is left as it was');
  });
});

test('with skipCorrupt the records before and after the damage are replayed and the segment is kept aside', async () => {
  await withDirectory([[1000, 2000, 3000], [4000]], async ({ dataDir, directory, paths }) => {
    damage(paths[0] as string, 2 * recordBytes - 3);
    const { firstTs, replay } = await replayed(directory, true);
    assert.deepEqual(firstTs, [1000, 3000, 4000]);
    assert.equal(replay.readings, 6);
    const kept = join(dataDir, 'wal-corrupt', 'wal-000000000001.log');
    assert.deepEqual(replay.skipped, [
      {
        segment: paths[0],
        offset: recordBytes,
        bytes: recordBytes,
        reason: 'checksum mismatch',
        keptAs: kept,
      },
    ]);
    assert.equal(statSync(kept).size, 3 * recordBytes);
  });
});

test('a bad tail in a segment followed by a segment with records is damage, not a torn tail', async () => {
  await withDirectory([[1000, 2000], [3000]], async ({ directory, paths }) => {
    const path = paths[0] as string;
    writeFileSync(path, readFileSync(path).subarray(0, 2 * recordBytes - 8));
    await assert.rejects(replayed(directory), /wal-000000000001\.log at byte \d+: record declares/);
  });
});

test('a torn tail of the last segment with records is cut off, even with empty segments after it', async () => {
  await withDirectory([[1000, 2000], []], async ({ directory, paths }) => {
    const path = paths[0] as string;
    writeFileSync(path, readFileSync(path).subarray(0, 2 * recordBytes - 8));
    const { firstTs, replay } = await replayed(directory);
    assert.deepEqual(firstTs, [1000]);
    assert.equal(replay.tornBytes, recordBytes - 8);
    assert.equal(statSync(path).size, recordBytes, 'records written later do not sit behind it');
  });
});

test('readings of a key no record declares refuse the replay, or are skipped and counted with skipCorrupt', async () => {
  await withDirectory([[1000]], async ({ directory }) => {
    const unplaced = (skipCorrupt: boolean) =>
      replayWal(directory, async (record) => record.length, {
        skipCorrupt,
        corruptDirectory: join(directory, '..', 'wal-corrupt'),
      });
    await assert.rejects(unplaced(false), /at byte 0: 2 readings of undeclared sensor keys/);
    const replay = await unplaced(true);
    assert.equal(replay.readings, 0);
    assert.equal(replay.skipped[0]?.reason, '2 readings of undeclared sensor keys');
  });
});
