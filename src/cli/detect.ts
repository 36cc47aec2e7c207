import { readFile } from 'node:fs/promises';
import { parseDecimal } from '../core/decimal.ts';
import { parseDelimited } from '../core/anomaly/delimited.ts';
import { scoreTable } from '../core/anomaly/score-table.ts';
import { DEFAULT_DETECTOR_NAME, DETECTORS, findDetector } from '../core/anomaly/registry.ts';
import { readOptions } from './options.ts';

const USAGE = `usage: urban-brain detect --input FILE.csv [--detector NAME] [--threshold X]

Reads a CSV (',' or ';' separated, RFC 4180 quoting) with a timestamp column (named timestamp,
time, date, datetime or ts, else the first) and one or more numeric columns, streams each numeric
column through its own detector, fuses the per-column scores (maximum) and prints the rows with
'anomaly_score' and a 0/1 'detection' column appended. A column is numeric when every non-empty
cell is a number; an empty cell is a missing reading, skipped by that column's detector (counted
on stderr). Errors name the file line.

  --input FILE      the CSV file
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
  let text;
  try {
    text = await readFile(values.input, 'utf8');
  } catch (error) {
    process.stderr.write(`detect: cannot read ${values.input}: ${(error as Error).message}\n`);
    return 2;
  }
  const table = parseDelimited(text, values.input);
  if (!table.ok) {
    process.stderr.write(`detect: ${table.reason}\n`);
    return 2;
  }
  const scored = scoreTable(spec, table.value, values.input, threshold);
  if (!scored.ok) {
    process.stderr.write(`detect: ${scored.reason}\n`);
    return 2;
  }
  process.stderr.write(
    `detect: ${table.value.rows.length} rows, columns ${scored.value.columns.join(', ')}, detector ${spec.name}, threshold ${threshold}\n`,
  );
  const empty = [...scored.value.emptyCells].filter(([, count]) => count > 0);
  const emptyTotal = empty.reduce((sum, [, count]) => sum + count, 0);
  if (emptyTotal > 0)
    process.stderr.write(
      `detect: missing readings skipped: ${emptyTotal} empty ${emptyTotal === 1 ? 'cell' : 'cells'} (${empty.map(([column, count]) => `${column}: ${count}`).join(', ')})\n`,
    );
  for (const { column, reason } of scored.value.skipped)
    process.stderr.write(`detect: column '${column}' not scored: ${reason}\n`);
  process.stdout.write(scored.value.text);
  return 0;
}
