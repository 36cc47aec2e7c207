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
    const part = new Uint8Array(4);
    spill.read(3, part);
    assert.deepEqual(part, new Uint8Array(4).fill(9), 'a shorter read takes the record’s first bytes');
    assert.throws(() => spill.read(7, into), /record 7 is past the end/);
    assert.throws(() => spill.write(1, new Uint8Array(17)), /a record holds 16 bytes, got 17/);
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
