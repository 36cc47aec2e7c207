import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run as runDetect } from '../src/cli/detect.ts';
import { run as runEval } from '../src/cli/eval-nab.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/data/nab');

/** Runs a CLI entry point with stdout and stderr captured. */
async function capture(
  run: () => Promise<number>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const originalOut = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await run();
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
  }
}

void test('eval nab writes NAB-format results and charts and prints the table beside the peers', async () => {
  const out = await mkdtemp(path.join(tmpdir(), 'nab-eval-'));
  try {
    const result = await capture(() => runEval(['--data', root, '--out', out]));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^rarity\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\d\d$/m);
    assert.match(result.stdout, /^ARTime\s+74\.85\s+65\.15\s+80\.36$/m);
    assert.match(result.stdout, /early detection rate: +\d+\.\d %/);
    assert.match(result.stderr, /\[58\/58\]/);
    const csv = await readFile(
      path.join(out, 'rarity', 'realKnownCause', 'rarity_machine_temperature_system_failure.csv'),
      'utf8',
    );
    const lines = csv.trim().split('\n');
    assert.equal(lines[0], 'timestamp,value,anomaly_score,label');
    assert.equal(lines.length, 22696);
    assert.match(lines[1] as string, /^2013-12-02 21:15:00,73\.96732207,0,0$/);
    const charts = await readdir(path.join(out, 'rarity', 'charts'));
    assert.equal(charts.length, 7);
    const svg = await readFile(path.join(out, 'rarity', 'charts', 'nyc_taxi.svg'), 'utf8');
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

void test('eval nab and detect answer usage errors with exit code 2 and a message', async () => {
  const missing = await capture(() => runEval([]));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--data DIR is required/);
  const unknown = await capture(() => runDetect(['--input', 'x.csv', '--detector', 'nope']));
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown detector 'nope'/);
  const threshold = await capture(() => runDetect(['--input', 'x.csv', '--threshold', '2']));
  assert.equal(threshold.code, 2);
  assert.match(threshold.stderr, /--threshold '2' must be a number in \[0, 1\]/);
});

void test('detect scores a CSV file and honours --threshold', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'nab-detect-'));
  try {
    const file = path.join(dir, 'input.csv');
    await writeFile(
      file,
      'timestamp,value\n' +
        Array.from({ length: 50 }, (_, i) => `2024-01-01 00:${String(i).padStart(2, '0')}:00,${i % 3}`).join(
          '\n',
        ) +
        '\n',
    );
    const result = await capture(() => runDetect(['--input', file, '--threshold', '0']));
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines[0], 'timestamp,value,anomaly_score,detection');
    assert.equal(lines.length, 51);
    assert.ok(
      lines.slice(1).every((line) => line.endsWith(',1')),
      'threshold 0 detects every row',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
