import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { formatEvaluation } from '../../src/cli/eval-triage.ts';
import { agreementMetrics } from '../../src/core/triage/metrics.ts';
import type { AgreementMetrics } from '../../src/core/triage/metrics.ts';
import type { UrgencyRanking } from '../../src/core/triage/urgency-ranking.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/urban-brain.js', import.meta.url).pathname;

void test('triage prints row,level for every input row in order; an unusable row gets an empty level and an error on stderr', async () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'triage-'));
  const file = path.join(folder, 'new.csv');
  const rows = [
    'Sex;Age;Arrival mode;Injury;Chief_complain;Mental;Pain;NRS_pain;SBP;DBP;HR;RR;BT;Saturation',
    '2;45;3;1;ant. chest pain;1;1;6;150;90;130;20;36,8;88',
    '1;??;3;1;cough;1;0;#BOÞ!;120;80;80;18;36,6;',
    '1;30;1;2;finger laceration;1;1;3;120;80;80;18;36,6;',
  ];
  writeFileSync(file, Buffer.from(`${rows.join('\r\n')}\r\n`, 'latin1'));
  const { stdout, stderr } = await run(process.execPath, [bin, 'triage', '--input', file]);
  const lines = stdout.trim().split('\n');
  assert.equal(lines[0], 'row,level');
  assert.match(lines[1] ?? '', /^0,[12]$/);
  assert.equal(lines[2], '1,');
  assert.match(lines[3] ?? '', /^2,[3-5]$/);
  assert.match(stderr, /row 1 \(line 3\), field Age, value '\?\?'/);
});

void test('triage without --input is a usage error (exit 2)', async () => {
  await assert.rejects(
    run(process.execPath, [bin, 'triage']),
    (error: { code?: number; stderr?: string }) =>
      error.code === 2 && /--input is required/.test(error.stderr ?? ''),
  );
});

const header =
  'Sex;Age;Arrival mode;Injury;Chief_complain;Mental;Pain;NRS_pain;SBP;DBP;HR;RR;BT;Saturation;KTAS_RN;KTAS_expert';

function writeRows(rows: string[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'triage-')), 'patients.csv');
  writeFileSync(file, `${[header, ...rows].join('\n')}\n`);
  return file;
}

const usageError = (pattern: RegExp, not?: RegExp) => (error: { code?: number; stderr?: string }) =>
  error.code === 2 &&
  pattern.test(error.stderr ?? '') &&
  (not === undefined || !not.test(error.stderr ?? '')) &&
  !/\n\s+at /.test(error.stderr ?? '');

void test('triage prints each field warning on stderr as row N: field value: rule; bug: they were never shown', async () => {
  const file = writeRows([
    '2;45;3;1;cough;1;0;;120;80;??;18;36,6;20;4;4',
    '1;30;1;2;finger laceration;1;1;3;120;80;80;18;36,6;97;4;4',
  ]);
  const { stdout, stderr } = await run(process.execPath, [bin, 'triage', '--input', file]);
  assert.equal(stdout.trim().split('\n').length, 3);
  assert.match(stderr, /row 0: HR '\?\?': missing \(unknown marker\); treated as not measured/);
  assert.match(
    stderr,
    /row 0: Saturation '20': implausible: outside the plausible range 50–100; treated as not measured/,
  );
  assert.doesNotMatch(stderr, /row 1:/);
});

void test('eval triage names the one problem: a missing --data is not blamed on a valid --folds, and the other way round', async () => {
  await assert.rejects(
    run(process.execPath, [bin, 'eval', 'triage']),
    usageError(/eval triage: --data is required\n/, /--folds must/),
  );
  await assert.rejects(
    run(process.execPath, [bin, 'eval', 'triage', '--data', 'x.csv', '--folds', '1']),
    usageError(/--folds must be a whole number ≥ 2 \(got '1'\)/, /--data is required/),
  );
  // Regression: Number() read these as 10, 3 and 10.
  for (const folds of ['1e1', '0x3', ' 10'])
    await assert.rejects(
      run(process.execPath, [bin, 'eval', 'triage', '--data', 'x.csv', '--folds', folds]),
      usageError(/--folds must be a whole number ≥ 2/),
    );
});

void test('a file without the label columns is told so, not that it has too few rows; bug: "0 rows … fewer than the 10 folds"', async () => {
  const unlabelled = path.join(mkdtempSync(path.join(tmpdir(), 'triage-')), 'new.csv');
  const columns = header.split(';');
  const keep = (line: string) =>
    line
      .split(';')
      .filter((_, index) => !['KTAS_RN', 'KTAS_expert'].includes(columns[index] as string))
      .join(';');
  writeFileSync(unlabelled, `${keep(header)}\n${keep('2;45;3;1;cough;1;0;;120;80;80;18;36,6;97;4;4')}\n`);
  await assert.rejects(
    run(process.execPath, [bin, 'eval', 'triage', '--data', unlabelled]),
    usageError(/new\.csv: the header has no KTAS_RN or KTAS_expert column/),
  );
  await assert.rejects(
    run(process.execPath, [bin, 'triage', '--input', unlabelled, '--train', unlabelled]),
    usageError(/new\.csv: the header has no KTAS_expert column: training needs the experts' levels/),
  );
});

void test('eval triage checks --write-weights before the run and says why in one line; bug: ENOENT stack trace after the run', async () => {
  const file = writeRows(['2;45;3;1;cough;1;0;;120;80;80;18;36,6;97;4;4']);
  const missingFolder = path.join(tmpdir(), `no-such-folder-${process.pid}`, 'w.json');
  await assert.rejects(
    run(process.execPath, [bin, 'eval', 'triage', '--data', file, '--write-weights', missingFolder]),
    usageError(
      /--write-weights '.*w\.json' cannot be written: its folder .* is missing or not writable \(ENOENT\)/,
    ),
  );
});

void test('eval triage refuses a cross-validation whose folds would train on fewer than 50 rows, as triage --train does', async () => {
  const rows = [
    '2;45;3;1;cough;1;0;;120;80;80;18;36,6;97;4;4',
    '1;30;1;2;laceration;1;1;3;120;80;80;18;36,6;97;4;4',
  ];
  const file = writeRows([...rows, ...rows, rows[0] as string]);
  await assert.rejects(
    run(process.execPath, [bin, 'eval', 'triage', '--data', file, '--folds', '3']),
    usageError(
      /5 rows with KTAS_RN and KTAS_expert; with 3 folds the smallest training set holds 3, at least 50 are needed/,
    ),
  );
  await assert.rejects(
    run(process.execPath, [bin, 'triage', '--input', file, '--train', file]),
    usageError(/only 5 rows with KTAS_expert; at least 50 are needed to train/),
  );
});

void test('eval triage refuses more folds than rows in one line; bug: a huge --folds died with a RangeError stack trace', async () => {
  const rows = [
    '2;45;3;1;cough;1;0;;120;80;80;18;36,6;97;4;4',
    '1;30;1;2;laceration;1;1;3;120;80;80;18;36,6;97;4;4',
  ];
  const file = writeRows(rows);
  for (const folds of ['10000000000', '3'])
    await assert.rejects(
      run(process.execPath, [bin, 'eval', 'triage', '--data', file, '--folds', folds]),
      usageError(new RegExp(`2 rows with KTAS_RN and KTAS_expert, fewer than the ${Number(folds)} folds`)),
    );
});

void test('triage stops quietly with exit 0 when the reader of its output goes away; bug: EPIPE stack trace', async () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'triage-'));
  const file = path.join(folder, 'many.csv');
  const row = '2;45;3;1;ant. chest pain;1;1;6;150;90;130;20;36,8;88';
  writeFileSync(
    file,
    [header.split(';').slice(0, 14).join(';'), ...Array<string>(50_000).fill(row)].join('\n'),
  );
  const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'triage', '--input', file, '--explain'], { stdio: 'pipe' });
    let stderr = '';
    child.stdout.once('data', () => child.stdout.destroy()); // as `head -1` does
    child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
});

/** The evaluation table of five rows and ten folds with these figures. */
function tableOf(
  engine: AgreementMetrics,
  nurses: AgreementMetrics,
  urgency: UrgencyRanking | null = null,
): string {
  return formatEvaluation({ folds: 10, rows: 5, engine, nurses, decisions: [], urgency });
}

void test("the evaluation table calls equal figures a tie; bug: a tie was reported as a nurses' win", () => {
  const metrics = agreementMetrics([1, 2, 3, 4, 5], [1, 2, 3, 5, 5]);
  const table = tableOf(metrics, metrics);
  for (const line of table.split('\n').filter((l) => / is better\)$/.test(l)))
    assert.match(line, / tie \((higher|lower) is better\)$/, line);
  const better = agreementMetrics([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]);
  const won = tableOf(better, metrics);
  assert.match(won, /exact agreement\s+1\.000\s+0\.800 {2}engine/);
});

void test('triage --input - reads the patients from standard input; --help names every option', async () => {
  const child = execFile(process.execPath, [bin, 'triage', '--input', '-']);
  child.stdin?.end(
    'Sex;Age;Arrival mode;Injury;Chief_complain;Mental;Pain;NRS_pain;SBP;DBP;HR;RR;BT;Saturation\n' +
      '1;30;1;2;finger laceration;1;1;3;120;80;80;18;36,6;98\n',
  );
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += String(chunk)));
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  assert.match(stdout, /^row,level\n0,[3-5]\n$/);
  const help = await run(process.execPath, [bin, 'triage', '--help']);
  for (const option of ['--input', '--train', '--explain', "'-' for standard input"])
    assert.ok(help.stdout.includes(option), option);
});

void test('the evaluation table says how well the engine ranks urgent patients, beside the nurses', () => {
  const metrics = agreementMetrics([1, 2, 3, 4, 5], [1, 2, 3, 5, 5]);
  const urgency = {
    areaUnderCurve: 0.9151,
    otherSensitivity: 0.878,
    otherFalseUrgent: 13,
    falseUrgentAtOtherSensitivity: 161,
  };
  const table = tableOf(metrics, metrics, urgency);
  assert.match(table, /area under the ROC curve 0\.915;/);
  assert.match(table, /sensitivity 0\.878\) takes calling 161 others urgent \(nurses: 13\)/);
  const none = tableOf(metrics, metrics);
  assert.doesNotMatch(none, /ROC/);
});
