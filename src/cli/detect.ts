import { readFile, stat } from 'node:fs/promises';
import { buffer } from 'node:stream/consumers';
import { parseDecimal } from '../core/decimal.ts';
import type { DetectorSpec } from '../core/anomaly/detector.ts';
import type { TablePlan } from '../core/anomaly/score-table.ts';
import { RowScorer, TableSurvey } from '../core/anomaly/score-table.ts';
import { DEFAULT_DETECTOR_NAME, DETECTORS, findDetector } from '../core/anomaly/registry.ts';
import type { RecordsPiece } from './csv-stream.ts';
import { LineWriter, readRecords } from './csv-stream.ts';
import { readOptions } from './options.ts';

const USAGE = `usage: urban-brain detect --input FILE.csv|- [--detector NAME] [--threshold X]

Reads a CSV (',' or ';' separated, RFC 4180 quoting) whose first line names the columns, with a
timestamp column (named timestamp, time, date, datetime or ts, else the first; YYYY-MM-DD[ HH:MM[:SS]]
with an optional zone, or epoch seconds or milliseconds) and one or more numeric columns, streams
each numeric column through its own detector, fuses the per-column scores (maximum) and prints the
rows on stdout with 'anomaly_score' and a 0/1 'detection' column appended. A column is numeric when
every cell that is not missing is a number; a missing cell (blank, NaN, null, NA, N/A, None) is
skipped by that column's detector (counted on stderr). Rows are scored in file order (stderr says
when timestamps step back). The file is read twice, a chunk at a time: memory does not grow with
its size. Errors name the file line.

  --input FILE      the CSV file, or - for stdin (stdin and pipes are held in memory; a file is not)
  --detector NAME   one of: ${[...DETECTORS.keys()].join(', ')} (default ${DEFAULT_DETECTOR_NAME})
  --threshold X     detection threshold in [0, 1] (default: the detector's shipped threshold)
`;

export async function run(args: string[]): Promise<number> {
  const read = readOptions(
    'detect',
    args,
    {
      input: { type: 'string' },
      detector: { type: 'string' },
      threshold: { type: 'string' },
    },
    USAGE,
  );
  if (!read.ok) return read.exitCode;
  const values = read.values;
  if (values.input === undefined) {
    process.stderr.write(`detect: --input FILE.csv is required\n\n${USAGE}`);
    return 2;
  }
  const name = values.detector ?? DEFAULT_DETECTOR_NAME;
  const spec = findDetector(name);
  if (spec === undefined) {
    process.stderr.write(`detect: unknown detector '${name}' (known: ${[...DETECTORS.keys()].join(', ')})\n`);
    return 2;
  }
  const threshold =
    values.threshold === undefined ? spec.threshold : parseDecimal(values.threshold, { exponent: true });
  if (threshold === undefined || threshold < 0 || threshold > 1) {
    process.stderr.write(`detect: --threshold '${values.threshold}' must be a number in [0, 1]\n`);
    return 2;
  }
  return detect(values.input, spec, threshold);
}

/**
 * Two passes over the file, each holding one chunk of records at a time: the first checks every row
 * and finds the value columns, the second scores the rows and writes them out as it goes.
 */
async function detect(file: string, spec: DetectorSpec, threshold: number): Promise<number> {
  // A regular file is read twice; stdin, a pipe or a device cannot be, so it is held in memory.
  let text: string | undefined;
  try {
    if (file === '-') text = (await buffer(process.stdin)).toString('utf8');
    else if (!(await stat(file)).isFile()) text = await readFile(file, 'utf8');
  } catch (error) {
    return fail(`cannot read ${file}: ${(error as Error).message}`);
  }
  const name = file === '-' ? 'stdin' : file;
  const records = (): AsyncGenerator<RecordsPiece> =>
    text === undefined ? readRecords(file) : readRecords(name, [text]);
  let survey: TableSurvey | undefined;
  for await (const piece of records()) {
    if (!piece.ok) return fail(piece.reason);
    for (const { fields, line } of piece.records) {
      if (survey === undefined) survey = new TableSurvey(fields, name);
      else {
        const added = survey.add(fields, line);
        if (!added.ok) return fail(added.reason);
      }
    }
  }
  if (survey === undefined) return fail(`${name}: empty file, expected a header line`);
  const plan = survey.finish();
  if (!plan.ok) return fail(plan.reason);
  report(plan.value, spec, threshold);
  const output = new LineWriter(process.stdout);
  let scorer: RowScorer | undefined;
  try {
    for await (const piece of records()) {
      if (!piece.ok) return fail(piece.reason);
      for (const { fields } of piece.records) {
        if (scorer === undefined) {
          scorer = new RowScorer(spec, fields, plan.value.columns, threshold, piece.delimiter);
          await output.write(scorer.headerLine());
        } else await output.write(scorer.scoreRow(fields).line);
        // The reader went away (as `head` does): stop quietly.
        if (output.closed) return 0;
      }
    }
  } finally {
    await output.end();
  }
  return 0;
}

function fail(reason: string): number {
  process.stderr.write(`detect: ${reason}\n`);
  return 2;
}

/**
 * A column's name as listed: quoted as JSON when it holds what separates the list (`,` `:`), spaces
 * at its ends or anything JSON escapes (`"`, a line break that would cut the line).
 */
function shownColumn(name: string): string {
  const quoted = JSON.stringify(name);
  return name === '' || /[,:]/.test(name) || name.trim() !== name || quoted !== `"${name}"` ? quoted : name;
}

/** The summary on stderr: rows, columns scored and not, missing readings, timestamps out of order. */
function report(plan: TablePlan, spec: DetectorSpec, threshold: number): void {
  process.stderr.write(
    `detect: ${plan.rows} rows, columns ${plan.columns.map(shownColumn).join(', ')}, detector ${spec.name}, threshold ${threshold}\n`,
  );
  const empty = [...plan.emptyCells].filter(([, count]) => count > 0);
  const emptyTotal = empty.reduce((sum, [, count]) => sum + count, 0);
  if (emptyTotal > 0)
    process.stderr.write(
      `detect: missing readings skipped: ${emptyTotal} ${emptyTotal === 1 ? 'cell' : 'cells'} (${empty.map(([column, count]) => `${shownColumn(column)}: ${count}`).join(', ')})\n`,
    );
  for (const { column, reason } of plan.skipped)
    process.stderr.write(`detect: column '${column}' not scored: ${reason}\n`);
  if (plan.stepsBack > 0)
    process.stderr.write(
      `detect: timestamps step back in time ${plan.stepsBack} ${plan.stepsBack === 1 ? 'time' : 'times'} (first at line ${plan.firstStepBackLine}); rows are scored in file order\n`,
    );
}
