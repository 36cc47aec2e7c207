import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { crossingRoadnet, flowEntry } from '../src/core/traffic/fixtures.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'eval-traffic-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, value: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

const roadnetFile = write('roadnet.json', crossingRoadnet());
const flowFile = write('flow.json', [
  flowEntry(['road_in_w', 'road_out_e'], 0, 200, 3),
  flowEntry(['road_in_s', 'road_out_n'], 0, 200, 4),
]);

const bin = fileURLToPath(new URL('../bin/urban-brain.js', import.meta.url));

/** Runs the real command in a child process (stdout stays the test runner's). */
function capture(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [bin, 'eval', 'traffic', ...args], (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      if (code === -1) reject(error);
      else resolve({ code, out: stdout, err: stderr });
    });
  });
}

test('prints one JSON object per controller with the travel-time measures and settings', async () => {
  const result = await capture([
    '--roadnet',
    roadnetFile,
    '--flow',
    flowFile,
    '--controller',
    'fixed,maxpressure',
    '--steps',
    '300',
    '--json',
  ]);
  assert.equal(result.code, 0, result.err);
  const rows = result.out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(
    rows.map((r) => r.controller),
    ['fixed', 'maxpressure'],
  );
  for (const row of rows) {
    for (const key of ['att', 'att_entering_lanes', 'finished', 'avg_queue', 'avg_delay', 'steps_per_s']) {
      assert.equal(typeof row[key], 'number', `${key} in ${JSON.stringify(row)}`);
    }
    assert.equal(row.steps, 300);
    assert.equal(row.decision_seconds, 15);
    assert.ok((row.finished as number) > 50);
  }
  assert.match(result.err, /maxpressure/);
});

test('exits 2 with a usage error when the controller is unknown', async () => {
  const result = await capture(['--roadnet', roadnetFile, '--flow', flowFile, '--controller', 'psychic']);
  assert.equal(result.code, 2);
  assert.match(result.err, /unknown controller 'psychic'/);
});

test('exits 2 on a yellow scope it does not know, and on a partial yellow outside SUMO', async () => {
  const base = ['--roadnet', roadnetFile, '--flow', flowFile, '--controller', 'fixed'];
  const unknown = await capture([...base, '--yellow-scope', 'some']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /--yellow-scope must be all or ending, got 'some'/);
  const outside = await capture([...base, '--yellow-scope', 'ending']);
  assert.equal(outside.code, 2);
  assert.match(outside.err, /--yellow-scope ending is only available with --engine sumo/);
});

test('exits 2 naming the road at fault in a broken roadnet', async () => {
  const broken = crossingRoadnet() as { roads: { lanes: unknown[] }[] };
  broken.roads[2]!.lanes = [];
  const file = write('broken.json', broken);
  const result = await capture(['--roadnet', file, '--flow', flowFile, '--controller', 'fixed']);
  assert.equal(result.code, 2);
  assert.match(result.err, /road 'road_in_s' lanes: a road needs at least one lane/);
});

test('exits 2 when required files are missing', async () => {
  const result = await capture(['--controller', 'fixed']);
  assert.equal(result.code, 2);
  assert.match(result.err, /--roadnet FILE and --flow FILE are required/);
});
