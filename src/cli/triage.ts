/**
 * `urban-brain triage --input FILE.csv [--train FILE.csv] [--explain]`
 *
 * FILE `-` is standard input.
 * Prints `row,level` for every data row of FILE (0-based, input order). The
 * file is in the KTAS export format; columns are found by name and the nurse,
 * expert and outcome columns may be absent. A row that cannot be used still
 * gets a line, with an empty level (`12,`), and its errors go to stderr: the
 * engine does not guess a level for a patient it cannot read. A value read as
 * not measured (blank, `??`, implausible) is a warning on stderr:
 * `row N: FIELD 'VALUE': RULE`.
 * By default the shipped weights are used; `--train` retrains at start from a
 * labelled file instead. `--explain` adds confidence and reasons columns.
 */
import { readFile } from 'node:fs/promises';
import { buffer } from 'node:stream/consumers';
import { decodeText } from '../core/triage/text.ts';
import { formatIssue, formatWarning, parseKtasText, warningLines } from '../core/triage/ktas-file.ts';
import type { FileResult } from '../core/triage/ktas-file.ts';
import type { TriageModel } from '../core/triage/engine.ts';
import { minimumTrainingRows, trainTriageModel, triage } from '../core/triage/engine.ts';
import { shippedModel } from '../core/triage/shipped-model.ts';
import { readOptions } from './options.ts';
import { LineWriter } from './csv-stream.ts';

const usage = `usage: urban-brain triage --input FILE.csv [--train LABELLED.csv] [--explain]

Prints row,level (KTAS 1-5) for every data row of FILE.csv, in input order (row: 0-based).
  --input FILE.csv      patients in the KTAS export format, '-' for standard input: columns found
                        by name (Sex, Age, Arrival mode, Injury, Chief_complain, Mental, Pain,
                        NRS_pain, SBP, DBP, HR, RR, BT, Saturation; Group optional), ';' or ','
                        separated, UTF-8 or Latin-1
  --train LABELLED.csv  retrain at start on the rows with KTAS_expert (at least ${minimumTrainingRows})
                        instead of using the shipped weights
  --explain             add the columns confidence and reasons
A row that cannot be used gets an empty level and a line on stderr naming its row, line, field,
value and rule; a value read as not measured is a warning on stderr. Exit 0, or 2 for a usage
error or a file that cannot be read or lacks a required column.
`;

/** The bytes of a file, or of standard input for '-'. */
function readBytes(path: string): Promise<Uint8Array> {
  return path === '-' ? buffer(process.stdin) : readFile(path);
}

async function readPatients(path: string): Promise<FileResult> {
  try {
    return parseKtasText(decodeText(await readBytes(path)));
  } catch (error) {
    return { ok: false, reason: `cannot read: ${(error as Error).message}` };
  }
}

function quote(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

export async function run(args: string[]): Promise<number> {
  const read = readOptions(
    'triage',
    args,
    {
      input: { type: 'string' },
      train: { type: 'string' },
      explain: { type: 'boolean', default: false },
    },
    usage,
  );
  if (!read.ok) return read.exitCode;
  const values = read.values;
  if (values.input === undefined) {
    process.stderr.write(`triage: --input is required\n${usage}`);
    return 2;
  }
  if (values.input === '-' && values.train === '-') {
    process.stderr.write(`triage: --input and --train cannot both be '-' (standard input)\n${usage}`);
    return 2;
  }
  let model: TriageModel = shippedModel();
  if (values.train !== undefined) {
    const training = await readPatients(values.train);
    if (!training.ok) {
      process.stderr.write(`triage: ${values.train}: ${training.reason}\n`);
      return 2;
    }
    if (!training.labels.expert) {
      process.stderr.write(
        `triage: ${values.train}: the header has no KTAS_expert column: training needs the experts' levels\n`,
      );
      return 2;
    }
    const examples = training.rows.flatMap((row) =>
      row.ok && row.labels.expertLevel !== null
        ? [{ presentation: row.presentation, level: row.labels.expertLevel }]
        : [],
    );
    if (examples.length < minimumTrainingRows) {
      process.stderr.write(
        `triage: ${values.train}: only ${examples.length} rows with KTAS_expert; at least ${minimumTrainingRows} are needed to train\n`,
      );
      return 2;
    }
    const warnings = warningLines(training.rows);
    if (warnings.length > 0)
      process.stderr.write(
        `triage: ${values.train}: ${warnings.length} field warnings (values not used), the first: ${warnings[0]}\n`,
      );
    model = trainTriageModel(examples);
    process.stderr.write(`triage: trained on ${examples.length} rows of ${values.train}\n`);
  }
  const parsed = await readPatients(values.input);
  if (!parsed.ok) {
    process.stderr.write(`triage: ${values.input}: ${parsed.reason}\n`);
    return 2;
  }
  const lines = [values.explain ? 'row,level,confidence,reasons' : 'row,level'];
  let unusable = 0;
  for (const row of parsed.rows) {
    if (!row.ok) {
      unusable++;
      for (const issue of row.errors)
        process.stderr.write(
          `triage: ${values.input}: ${formatIssue(row.row, row.line, issue)}; no level assigned\n`,
        );
      lines.push(values.explain ? `${row.row},,,` : `${row.row},`);
      continue;
    }
    for (const issue of row.warnings)
      process.stderr.write(`triage: ${values.input}: ${formatWarning(row.row, issue)}\n`);
    const result = triage(row.presentation, model);
    lines.push(
      values.explain
        ? `${row.row},${result.level},${result.confidence.toFixed(3)},${quote(result.reasons.join('; '))}`
        : `${row.row},${result.level}`,
    );
  }
  // Through a LineWriter: a reader that goes away (piped into `head`) ends the output quietly.
  const out = new LineWriter(process.stdout);
  for (const line of lines) await out.write(line);
  await out.end();
  if (unusable > 0)
    process.stderr.write(
      `triage: ${unusable} of ${parsed.rows.length} rows could not be used (empty level)\n`,
    );
  return 0;
}
