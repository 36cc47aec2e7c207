import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDemoFolder, resumableStart, writeDemoMarker } from './demo-marker.ts';

const city = { seed: 42, speed: 120, sensorCount: 3000 };

function withFolder(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'urban-brain-marker-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void test('a missing or empty folder is empty, a folder of other data is foreign', () => {
  withFolder((dir) => {
    assert.deepEqual(readDemoFolder(join(dir, 'absent')), { kind: 'empty' });
    assert.deepEqual(readDemoFolder(dir), { kind: 'empty' });
    writeFileSync(join(dir, 'urban-brain.duckdb'), '');
    assert.deepEqual(readDemoFolder(dir), { kind: 'foreign' });
  });
});

void test('the start written once the city runs is read back and resumed for the same city only', () => {
  withFolder((dir) => {
    writeDemoMarker(dir);
    const unstarted = readDemoFolder(dir);
    assert.deepEqual(unstarted, { kind: 'demo', start: null });
    assert.equal(resumableStart(unstarted, city, 2_000), null);

    writeDemoMarker(dir, { atMillis: 1_000, city });
    const folder = readDemoFolder(dir);
    assert.deepEqual(folder, { kind: 'demo', start: { atMillis: 1_000, city } });
    assert.equal(resumableStart(folder, city, 2_000), 1_000);
    assert.equal(resumableStart(folder, { ...city, speed: 60 }, 2_000), null, 'another speed starts afresh');
    assert.equal(resumableStart(folder, { ...city, seed: 7 }, 2_000), null, 'another city starts afresh');
    assert.equal(resumableStart(folder, city, 500), null, 'a start in the future is not resumed');
  });
});

void test('the plain-text marker of earlier versions is a demo folder of unknown start', () => {
  withFolder((dir) => {
    writeFileSync(join(dir, '.demo-city'), 'Written by the demo city; delete the folder to start afresh.\n');
    const folder = readDemoFolder(dir);
    assert.deepEqual(folder, { kind: 'demo', start: null });
    assert.equal(resumableStart(folder, city, Date.now()), null);
  });
});
