/**
 * `urban-brain eval triage --data FILE.csv [--folds 10] [--json] [--write-weights FILE]`
 *
 * Cross-validates the triage engine (retrained inside every fold) against the
 * experts' levels, beside the nurses' levels on the same rows. With
 * `--write-weights`, also trains on all usable rows and writes the weights file
 * the product ships (src/core/triage/ktas-weights.json).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { decodeText } from '../core/triage/text.ts';
import { formatIssue, parseKtasText } from '../core/triage/ktas-file.ts';
import { evaluateTriage, labelledExamples } from '../core/triage/evaluation.ts';
import type { TriageEvaluation } from '../core/triage/evaluation.ts';
import type { AgreementMetrics } from '../core/triage/metrics.ts';
import { defaultTrainingOptions, trainTriageModel } from '../core/triage/engine.ts';
import { modelToWeights } from '../core/triage/weights.ts';
import { readOptions } from './options.ts';

const usage =
  'usage: urban-brain eval triage --data FILE.csv [--folds 10] [--json] [--write-weights FILE.json]\n';

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
  const folds = Number(values.folds);
  if (values.data === undefined || !Number.isInteger(folds) || folds < 2) {
    process.stderr.write(
      `eval triage: --data is required and --folds must be a whole number ≥ 2 (got '${values.folds}')\n${usage}`,
    );
    return 2;
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
  for (const row of parsed.rows)
    if (!row.ok)
      for (const issue of row.errors)
        process.stderr.write(
          `eval triage: ${values.data}: ${formatIssue(row.row, row.line, issue)}; row skipped\n`,
        );
  const { examples, skipped } = labelledExamples(parsed.rows);
  if (examples.length < folds) {
    process.stderr.write(
      `eval triage: ${values.data}: ${examples.length} rows with KTAS_RN and KTAS_expert, fewer than ${folds} folds\n`,
    );
    return 2;
  }
  process.stderr.write(
    `eval triage: ${examples.length} rows (${skipped} skipped), ${folds}-fold cross-validation…\n`,
  );
  const evaluation = evaluateTriage(examples, folds);
  process.stdout.write(values.json ? `${JSON.stringify(evaluation)}\n` : formatEvaluation(evaluation));
  if (values['write-weights'] !== undefined) {
    const model = trainTriageModel(examples);
    const weights = modelToWeights(model, {
      source:
        'Moon et al. 2019, PLOS ONE, doi:10.1371/journal.pone.0216972 (KTAS_expert levels of train.csv)',
      licence: 'CC BY 4.0',
      trainedRows: examples.length,
      trainingOptions: defaultTrainingOptions,
    });
    await writeFile(values['write-weights'], `${JSON.stringify(weights)}\n`);
    process.stderr.write(
      `eval triage: weights trained on ${examples.length} rows written to ${values['write-weights']}\n`,
    );
  }
  return 0;
}

function formatEvaluation(evaluation: TriageEvaluation): string {
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
    const wins = direction === 'higher' ? engine > nurses : engine < nurses;
    lines.push(
      `${name.padEnd(28)}${engine.toFixed(3).padStart(8)}${nurses.toFixed(3).padStart(8)}  ${wins ? 'engine' : 'nurses'} (${direction} is better)`,
    );
  }
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
