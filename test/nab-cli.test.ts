import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run as runDetect } from '../src/cli/detect.ts';
import { captureOutput } from '../src/cli/output.test-helpers.ts';
import { run as runEval } from '../src/cli/eval-nab.ts';
import { parseDelimited } from '../src/core/anomaly/delimited.ts';
import { findDetector } from '../src/core/anomaly/registry.ts';
import { scoreTable } from '../src/core/anomaly/score-table.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/data/nab');

/** Runs a CLI entry point with stdout and stderr captured. */
async function capture(
  run: () => Promise<number>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { value: code, stdout, stderr } = await captureOutput(run);
  return { code, stdout, stderr };
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
  assert.match(result.stderr, /^detect: missing readings skipped: 2 cells \(b: 2\)$/m);
  assert.equal(result.stdout.trim().split('\n').length, 41);
});

void test('detect lists a column whose name holds a comma quoted; bug: "columns a, b, c" for the columns "a, b" and c', async () => {
  const rows = Array.from(
    { length: 30 },
    (_, i) => `2024-01-01 00:${String(i).padStart(2, '0')}:00,${i},${i === 3 ? '' : 2 * i}`,
  );
  const result = await detectText(['timestamp,"a, b","c\nd"', ...rows].join('\n') + '\n');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^detect: 30 rows, columns "a, b", "c\\nd", detector rarity/m);
  assert.match(result.stderr, /^detect: missing readings skipped: 1 cell \("c\\nd": 1\)$/m);
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
    // Bug: a place where no folder can be made (under /proc) hung for ever in Node's recursive mkdir.
    const proc = await capture(() => runEval(['--data', data, '--out', '/proc/urban-brain-nab']));
    assert.equal(proc.code, 2);
    assert.match(proc.stderr, /^eval nab: --out '\/proc\/urban-brain-nab' cannot hold the results: ENOENT/);
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

void test('detect reads a file larger than one read chunk exactly as the whole text: quoting, CRLF, blank lines', async () => {
  const rows = Array.from({ length: 70_000 }, (_, i) => {
    const stamp = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString();
    const note = i % 7 === 0 ? `"two\r\nlines; ""${i}"""` : `n${i}`;
    return `${stamp};${(10 + Math.sin(i / 30) + (i % 1000 === 999 ? 9 : 0)).toFixed(3).replace('.', ',')};${note}${i % 500 === 0 ? '\r\n' : ''}`;
  });
  const text = ['\uFEFFtime;value;note', ...rows].join('\r\n') + '\r\n';
  assert.ok(text.length > 2 * (1 << 20), 'spans several read chunks');
  const result = await detectText(text);
  assert.equal(result.code, 0, result.stderr);
  const spec = findDetector('rarity');
  const table = parseDelimited(text, 'input.csv');
  assert.ok(spec && table.ok);
  const whole = scoreTable(spec, table.value, 'input.csv', spec.threshold);
  assert.ok(whole.ok);
  assert.equal(result.stdout, whole.value.text);
  assert.match(result.stderr, /^detect: 70000 rows, columns value, detector rarity/);
});

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/urban-brain.js');

/** Runs the command in a child process; `stdoutBytes` stops reading stdout (closes it) after so many bytes. */
function runChild(
  args: string[],
  options: { nodeArgs?: string[]; stdoutBytes?: number; stdin?: string } = {},
): Promise<{ code: number | null; stdout: string; stdoutBytes: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], {
      stdio: 'pipe',
    });
    child.stdin.end(options.stdin ?? '');
    let stdout = '';
    let stdoutBytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (options.stdoutBytes === undefined) stdout += String(chunk);
      if (options.stdoutBytes !== undefined && stdoutBytes >= options.stdoutBytes) child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stdoutBytes, stderr }));
  });
}

/** Writes a `timestamp,value` file of `rows` one-minute epoch-second rows. */
async function epochFile(file: string, rows: number): Promise<void> {
  const lines = ['timestamp,value'];
  for (let i = 0; i < rows; i++) lines.push(`${1_700_000_000 + 60 * i},${((i * 7919) % 1000) / 100}`);
  await writeFile(file, lines.join('\n') + '\n');
}

void test('detect streams: 600,000 rows score in a 96 MB heap', async () => {
  // Regression: the file, every row's cells and the whole output were held at once (1 million rows
  // took 720 MB, 10 million 4.8 GB).
  const dir = await mkdtemp(path.join(tmpdir(), 'nab-detect-'));
  try {
    const file = path.join(dir, 'big.csv');
    await epochFile(file, 600_000);
    const result = await runChild(['detect', '--input', file], { nodeArgs: ['--max-old-space-size=96'] });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^detect: 600000 rows/);
    assert.ok(result.stdoutBytes > 600_000 * 20, `${result.stdoutBytes} bytes written`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('detect stops quietly with exit 0 when the reader of its output goes away', async () => {
  // Regression: piped into `head`, it died with "Error: write EPIPE" and a stack trace.
  const dir = await mkdtemp(path.join(tmpdir(), 'nab-detect-'));
  try {
    const file = path.join(dir, 'big.csv');
    await epochFile(file, 200_000);
    const result = await runChild(['detect', '--input', file], { stdoutBytes: 1 });
    assert.equal(result.stderr, 'detect: 200000 rows, columns value, detector rarity, threshold 0.89\n');
    assert.equal(result.code, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('detect reads stdin with --input - and names it in errors', async () => {
  // A file is read twice; stdin cannot be, so it is held in memory and read once.
  const rows = Array.from(
    { length: 30 },
    (_, i) => `2024-01-01 00:${String(i).padStart(2, '0')}:00,${i % 4}`,
  );
  const good = await runChild(['detect', '--input', '-'], {
    stdin: ['timestamp,value', ...rows].join('\n') + '\n',
  });
  assert.equal(good.code, 0, good.stderr);
  assert.equal(good.stdout.split('\n')[0], 'timestamp,value,anomaly_score,detection');
  assert.equal(good.stdout.trim().split('\n').length, 31);
  const bad = await runChild(['detect', '--input', '-'], { stdin: 'timestamp,value\n2024-02-30,1\n' });
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, "detect: stdin: line 2, field 'timestamp': '2024-02-30' is not a timestamp\n");
});
