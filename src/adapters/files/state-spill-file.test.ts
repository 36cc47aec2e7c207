import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStateSpill, openSpillIn, removeLeftSpills } from './state-spill-file.ts';

test('records are written and read back by number, in any order, and the file goes at close', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'spill-file-'));
  try {
    const spill = openSpillIn(folder)(16);
    const record = (fill: number) => new Uint8Array(16).fill(fill);
    spill.write(3, record(3));
    spill.write(0, record(1));
    spill.write(3, record(9));
    const into = new Uint8Array(16);
    spill.read(3, into);
    assert.deepEqual(into, record(9), 'a record written again holds the last bytes');
    spill.read(0, into);
    assert.deepEqual(into, record(1));
    // Records side by side move in one write and one read.
    spill.write(
      4,
      Uint8Array.from({ length: 48 }, (_, index) => 4 + Math.floor(index / 16)),
    );
    const run = new Uint8Array(64);
    spill.read(3, run);
    assert.deepEqual(
      [...run].filter((_, index) => index % 16 === 0),
      [9, 4, 5, 6],
      'records 3 to 6 read at once',
    );
    assert.throws(() => spill.read(7, into), /record 7 is past the end/);
    assert.throws(() => spill.read(6, new Uint8Array(32)), /record 7 is past the end/);
    assert.throws(() => spill.write(1, new Uint8Array(17)), /records of 16 bytes are moved whole, got 17/);
    assert.throws(() => spill.read(1, new Uint8Array(4)), /records of 16 bytes are moved whole, got 4/);
    assert.equal((await readdir(folder)).length, 1);
    spill.close();
    spill.close();
    assert.deepEqual(await readdir(folder), []);
    assert.throws(() => spill.read(0, into), /is closed/);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('a new spill starts empty, and spill files left behind are removed, nothing else', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'spill-file-'));
  try {
    const path = join(folder, 'detector-states-0badf00d.spill');
    await writeFile(path, new Uint8Array(64).fill(5));
    const fresh = new FileStateSpill(path, 16);
    assert.throws(() => fresh.read(0, new Uint8Array(16)), /past the end/, 'opened afresh, not on old bytes');
    fresh.close();
    await writeFile(path, 'left by a killed process');
    await writeFile(join(folder, 'readings.duckdb'), 'kept');
    await writeFile(join(folder, 'detector-states.txt'), 'kept');
    assert.equal(removeLeftSpills(folder), 1);
    assert.deepEqual((await readdir(folder)).sort(), ['detector-states.txt', 'readings.duckdb']);
    assert.throws(() => new FileStateSpill(path, 0), /recordBytes must be a positive integer, got 0/);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
