import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
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

void test('detect refuses an empty, blank or non-decimal --threshold instead of reading it as 0', async () => {
  // Regression: Number('') is 0, so --threshold '' ran at threshold 0 and flagged every row.
  for (const value of ['', ' ', 'abc', '0x1', '1/2']) {
    const result = await capture(() => runDetect(['--input', 'x.csv', '--threshold', value]));
    assert.equal(result.code, 2, `--threshold '${value}'`);
    assert.equal(result.stderr, `detect: --threshold '${value}' must be a number in [0, 1]\n`);
  }
});

/** Writes `text` to a fresh temporary file, runs detect on it, and removes it. */
async function detectText(text: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'nab-detect-'));
  try {
    const file = path.join(dir, 'input.csv');
    await writeFile(file, text);
    return await capture(() => runDetect(['--input', file]));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void test('detect scores a column whose first cell is empty and counts the missing readings', async () => {
  // Regression: 'b' was left out because its first data cell is empty ("columns a").
  const rows = Array.from(
    { length: 40 },
    (_, i) => `2024-01-01 00:${String(i).padStart(2, '0')}:00,${i % 5},${i === 0 || i === 20 ? '' : 3 * i}`,
  );
  const result = await detectText(['timestamp,a,b', ...rows].join('\n') + '\n');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^detect: 40 rows, columns a, b, detector rarity/m);
  assert.match(result.stderr, /^detect: missing readings skipped: 2 empty cells \(b: 2\)$/m);
  assert.equal(result.stdout.trim().split('\n').length, 41);
});

void test('detect reads quoted fields with commas and writes them back quoted', async () => {
  // Regression: '"x, 1"' was refused with "row 2 has 4 fields, the header has 3".
  const rows = Array.from(
    { length: 30 },
    (_, i) => `2024-01-01 00:${String(i).padStart(2, '0')}:00,${i},"x, ${i}"`,
  );
  const result = await detectText(['timestamp,value,note', ...rows].join('\r\n') + '\r\n');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /columns value,/);
  assert.match(result.stderr, /^detect: column 'note' not scored: line 2: 'x, 0' is not a number$/m);
  const lines = result.stdout.trim().split('\n');
  assert.equal(lines[0], 'timestamp,value,note,anomaly_score,detection');
  assert.match(lines[1] as string, /^2024-01-01 00:00:00,0,"x, 0",\d\.\d{6},[01]$/);
});

void test('detect names the file line of a bad cell, counting blank lines', async () => {
  // Regression: the line after a blank line was reported as "row 3".
  const result = await detectText('timestamp,value\n2014-03-07 00:00:00,1\n\nbad,2\n');
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /^detect: .*input\.csv: line 4, field 'timestamp': 'bad' is not a timestamp\n$/,
  );
});

/** A NAB checkout with the labels, the published results and one data file: a run of a second. */
async function smallNab(dir: string): Promise<string> {
  const data = path.join(dir, 'nab');
  await cp(path.join(root, 'labels'), path.join(data, 'labels'), { recursive: true });
  await mkdir(path.join(data, 'results'), { recursive: true });
  await cp(
    path.join(root, 'results', 'final_results.json'),
    path.join(data, 'results', 'final_results.json'),
  );
  const file = path.join('data', 'realKnownCause', 'ec2_request_latency_system_failure.csv');
  await mkdir(path.dirname(path.join(data, file)), { recursive: true });
  await cp(path.join(root, file), path.join(data, file));
  return data;
}

void test('eval nab refuses an --out that is a file before the run, in one line with exit 2', async () => {
  // Regression: the run finished, then mkdir threw ENOTDIR with a stack trace.
  const dir = await mkdtemp(path.join(tmpdir(), 'nab-out-'));
  try {
    const data = await smallNab(dir);
    const file = path.join(dir, 'afile');
    await writeFile(file, '');
    const result = await capture(() => runEval(['--data', data, '--out', file]));
    assert.equal(result.code, 2);
    assert.doesNotMatch(result.stderr, /\[1\/1\]/, 'refused before the run');
    assert.match(result.stderr, /^eval nab: --out '.*afile' cannot hold the results: ENOTDIR[^\n]*\n$/);
    const empty = await capture(() => runEval(['--data', data, '--out', '']));
    assert.equal(empty.code, 2);
    assert.equal(empty.stderr, "eval nab: --out '' must name a directory\n");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('eval nab reports a write that fails during the run in one line with exit 1', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'nab-out-'));
  try {
    const data = await smallNab(dir);
    const out = path.join(dir, 'out');
    await mkdir(path.join(out, 'rarity'), { recursive: true });
    await writeFile(path.join(out, 'rarity', 'realKnownCause'), 'a file where a directory goes');
    const result = await capture(() => runEval(['--data', data, '--out', out]));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /\[1\/1\] realKnownCause\/ec2_request_latency_system_failure\.csv\n/);
    assert.match(result.stderr, /\neval nab: cannot write the results: EEXIST[^\n]*\n$/);
    assert.equal(result.stdout, '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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

void test('eval nab on a data folder that lacks labelled files says so and leaves the published scores out', async () => {
  // Regression: a missing file was skipped in silence and the smaller corpus's score printed
  // beside ARTime's and numenta's as if comparable.
  const dir = await mkdtemp(path.join(tmpdir(), 'nab-partial-'));
  try {
    const data = await smallNab(dir);
    const result = await capture(() => runEval(['--data', data, '--out', path.join(dir, 'out')]));
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /^eval nab: 57 of 58 labelled files are not in .*data \(artificialNoAnomaly\/art_daily_no_noise\.csv, .*, …\): the scores are not comparable with the published ones$/m,
    );
    assert.match(result.stdout, /^rarity\s+-?\d+\.\d\d/m);
    assert.doesNotMatch(result.stdout, /ARTime|numenta|contextOSE/);
    assert.match(result.stdout, /^corpus: +1 of 58 labelled files; the published detectors are not shown$/m);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
