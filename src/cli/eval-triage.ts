/**
 * `urban-brain eval triage --data FILE.csv [--folds 10] [--json] [--write-weights FILE]`
 *
 * Cross-validates the triage engine (retrained inside every fold) against the
 * experts' levels, beside the nurses' levels on the same rows. With
 * `--write-weights`, also trains on all usable rows and writes the weights file
 * the product ships (src/core/triage/ktas-weights.json). Every fold trains on at
 * least `minimumTrainingRows` rows. Field warnings (values read as not measured)
 * go to stderr as a count and the first few.
 */
import { constants } from 'node:fs';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeText } from '../core/triage/text.ts';
import { formatIssue, parseKtasText, warningLines } from '../core/triage/ktas-file.ts';
import { evaluateTriage, labelledExamples } from '../core/triage/evaluation.ts';
import type { TriageEvaluation } from '../core/triage/evaluation.ts';
import type { AgreementMetrics } from '../core/triage/metrics.ts';
import type { Level } from '../core/triage/presentation.ts';
import { defaultTrainingOptions, minimumTrainingRows, trainTriageModel } from '../core/triage/engine.ts';
import { modelToWeights } from '../core/triage/weights.ts';
import { assignFolds } from '../core/triage/cross-validation.ts';
import { readOptions, wholeNumber } from './options.ts';

const usage = `usage: urban-brain eval triage --data FILE.csv [--folds 10] [--json] [--write-weights FILE.json]

Cross-validates the triage engine (retrained in every fold) against the experts' levels, beside
the nurses' levels, on the rows of FILE.csv that have both KTAS_RN and KTAS_expert.
  --data FILE.csv            labelled patients in the KTAS export format (see triage --help)
  --folds N                  folds, a whole number >= 2 (default 10); each training set
                             needs ${minimumTrainingRows} rows or more
  --json                     print the evaluation as one JSON line instead of the table
  --write-weights FILE.json  also train on every usable row and write the weights file
Rows that cannot be used are skipped with a line on stderr naming row, field, value and rule.
Exit 0; 1 when the weights cannot be written; 2 for a usage error or an unusable file.
`;

export async function run(args: string[]): Promise<number> {
  const read = readOptions(
    'eval triage',
    args,
    {
      data: { type: 'string' },
      folds: { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
      'write-weights': { type: 'string' },
    },
    usage,
  );
  if (!read.ok) return read.exitCode;
  const values = read.values;
  if (values.data === undefined) {
    process.stderr.write(`eval triage: --data is required\n${usage}`);
    return 2;
  }
  const folds = wholeNumber(values.folds);
  if (!Number.isInteger(folds) || folds < 2) {
    process.stderr.write(`eval triage: --folds must be a whole number ≥ 2 (got '${values.folds}')\n${usage}`);
    return 2;
  }
  const weightsPath = values['write-weights'];
  if (weightsPath !== undefined) {
    // Checked before the cross-validation, which takes minutes.
    const problem = await unwritable(weightsPath);
    if (problem !== undefined) {
      process.stderr.write(`eval triage: --write-weights '${weightsPath}' cannot be written: ${problem}\n`);
      return 2;
    }
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(values.data);
  } catch (error) {
    process.stderr.write(`eval triage: cannot read ${values.data}: ${(error as Error).message}\n`);
    return 2;
  }
  const parsed = parseKtasText(decodeText(bytes));
  if (!parsed.ok) {
    process.stderr.write(`eval triage: ${values.data}: ${parsed.reason}\n`);
    return 2;
  }
  const absent = [parsed.labels.nurse ? [] : ['KTAS_RN'], parsed.labels.expert ? [] : ['KTAS_expert']].flat();
  if (absent.length > 0) {
    process.stderr.write(
      `eval triage: ${values.data}: the header has no ${absent.join(' or ')} column: the engine is measured against the experts' levels, beside the nurses'\n`,
    );
    return 2;
  }
  for (const row of parsed.rows)
    if (!row.ok)
      for (const issue of row.errors)
        process.stderr.write(
          `eval triage: ${values.data}: ${formatIssue(row.row, row.line, issue)}; row skipped\n`,
        );
  const warnings = warningLines(parsed.rows);
  if (warnings.length > 0) {
    const shown = warnings.slice(0, warningsShown);
    const more = warnings.length > shown.length ? `, the first ${shown.length}` : '';
    process.stderr.write(
      `eval triage: ${values.data}: ${warnings.length} field warnings (values not used)${more}:\n${shown.map((line) => `  ${line}\n`).join('')}`,
    );
  }
  const { examples, skipped } = labelledExamples(parsed.rows);
  if (examples.length < folds) {
    process.stderr.write(
      `eval triage: ${values.data}: ${examples.length} rows with KTAS_RN and KTAS_expert, fewer than the ${folds} folds (each fold holds out at least one row)\n`,
    );
    return 2;
  }
  const trainingRows = smallestTrainingSet(
    examples.map((example) => example.level),
    folds,
  );
  if (trainingRows < minimumTrainingRows) {
    process.stderr.write(
      `eval triage: ${values.data}: ${examples.length} rows with KTAS_RN and KTAS_expert; with ${folds} folds the smallest training set holds ${Math.max(0, trainingRows)}, at least ${minimumTrainingRows} are needed\n`,
    );
    return 2;
  }
  process.stderr.write(
    `eval triage: ${examples.length} rows (${skipped} skipped), ${folds}-fold cross-validation…\n`,
  );
  const evaluation = evaluateTriage(examples, folds);
  process.stdout.write(values.json ? `${JSON.stringify(evaluation)}\n` : formatEvaluation(evaluation));
  if (weightsPath !== undefined) {
    const model = trainTriageModel(examples);
    const weights = modelToWeights(model, {
      source:
        'Moon et al. 2019, PLOS ONE, doi:10.1371/journal.pone.0216972 (KTAS_expert levels of train.csv)',
      licence: 'CC BY 4.0',
      trainedRows: examples.length,
      trainingOptions: defaultTrainingOptions,
    });
    try {
      await writeFile(weightsPath, `${JSON.stringify(weights)}\n`);
    } catch (error) {
      process.stderr.write(`eval triage: cannot write ${weightsPath}: ${(error as Error).message}\n`);
      return 1;
    }
    process.stderr.write(
      `eval triage: weights trained on ${examples.length} rows written to ${weightsPath}\n`,
    );
  }
  return 0;
}

const warningsShown = 5;

/** Rows the smallest training set of the cross-validation holds: all but the largest held-out fold. */
function smallestTrainingSet(levels: readonly Level[], folds: number): number {
  const heldOut = new Array<number>(folds).fill(0);
  for (const fold of assignFolds(levels, folds)) heldOut[fold] = (heldOut[fold] ?? 0) + 1;
  return levels.length - Math.max(...heldOut);
}

/** Why a file cannot be written at `file` (its folder missing or read-only, or a folder there), or undefined. */
async function unwritable(file: string): Promise<string | undefined> {
  try {
    await access(path.dirname(path.resolve(file)), constants.W_OK);
  } catch (error) {
    return `its folder ${path.dirname(path.resolve(file))} is missing or not writable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  try {
    if ((await stat(file)).isDirectory()) return 'it is a folder';
    await access(file, constants.W_OK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      return `the file is not writable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  return undefined;
}

/** Who does better on a metric; equal at the three decimals shown is a tie. */
function better(engine: number, nurses: number, direction: 'higher' | 'lower'): string {
  const shownEngine = Number(engine.toFixed(3));
  const shownNurses = Number(nurses.toFixed(3));
  if (shownEngine === shownNurses) return 'tie';
  return (direction === 'higher') === shownEngine > shownNurses ? 'engine' : 'nurses';
}

export function formatEvaluation(evaluation: TriageEvaluation): string {
  const lines = [
    `triage engine vs nurses (KTAS_RN) against experts (KTAS_expert), ${evaluation.rows} rows, ${evaluation.folds}-fold cross-validation`,
    '',
  ];
  lines.push(`${'metric'.padEnd(28)}${'engine'.padStart(8)}${'nurses'.padStart(8)}  better`);
  const rows: [string, (m: AgreementMetrics) => number, 'higher' | 'lower'][] = [
    ['exact agreement', (m) => m.exactAgreement, 'higher'],
    ['linear-weighted kappa', (m) => m.linearWeightedKappa, 'higher'],
    ['under-triage rate', (m) => m.underTriageRate, 'lower'],
    ['over-triage rate', (m) => m.overTriageRate, 'lower'],
    ['macro F1', (m) => m.macroF1, 'higher'],
    ['sensitivity levels 1-2', (m) => m.sensitivityLevels1to2, 'higher'],
  ];
  for (const [name, pick, direction] of rows) {
    const engine = pick(evaluation.engine);
    const nurses = pick(evaluation.nurses);
    lines.push(
      `${name.padEnd(28)}${engine.toFixed(3).padStart(8)}${nurses.toFixed(3).padStart(8)}  ${better(engine, nurses, direction)} (${direction} is better)`,
    );
  }
  const urgency = evaluation.urgency;
  if (urgency !== null)
    lines.push(
      '',
      `urgent (expert level 1-2) ranked by the engine's probability of level 1-2: area under the ROC curve ${urgency.areaUnderCurve.toFixed(3)};`,
      `  catching as many as the nurses (sensitivity ${urgency.otherSensitivity.toFixed(3)}) takes calling ${urgency.falseUrgentAtOtherSensitivity} others urgent (nurses: ${urgency.otherFalseUrgent})`,
    );
  lines.push('', 'engine confusion matrix (rows: expert level 1-5, columns: engine level 1-5)');
  evaluation.engine.confusion.forEach((row, index) =>
    lines.push(`  ${index + 1}: ${row.map((count) => String(count).padStart(5)).join('')}`),
  );
  lines.push('', 'nurses confusion matrix (rows: expert level 1-5, columns: nurse level 1-5)');
  evaluation.nurses.confusion.forEach((row, index) =>
    lines.push(`  ${index + 1}: ${row.map((count) => String(count).padStart(5)).join('')}`),
  );
  return `${lines.join('\n')}\n`;
}
