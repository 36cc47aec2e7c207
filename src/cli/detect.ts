import { readFile } from 'node:fs/promises';
import { parseDelimited } from '../core/anomaly/delimited.ts';
import { scoreTable } from '../core/anomaly/score-table.ts';
import { DEFAULT_DETECTOR_NAME, DETECTORS, findDetector } from '../core/anomaly/registry.ts';
import { readOptions } from './options.ts';

const USAGE = `usage: urban-brain detect --input FILE.csv [--detector NAME] [--threshold X]

Reads a CSV (',' or ';' separated) with a timestamp column and one or more numeric columns,
streams each numeric column through its own detector, fuses the per-column scores (maximum) and
prints the rows with 'anomaly_score' and a 0/1 'detection' column appended.

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
  const threshold = values.threshold === undefined ? spec.threshold : Number(values.threshold);
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
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
  process.stdout.write(scored.value.text);
  return 0;
}
