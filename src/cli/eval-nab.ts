import { constants } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { NabCorpus } from '../adapters/files/nab-files.ts';
import { readNabCorpus, readNabFinalResults } from '../adapters/files/nab-files.ts';
import { DEFAULT_DETECTOR_NAME, DETECTORS, findDetector } from '../core/anomaly/registry.ts';
import { renderChart } from '../core/nab/chart.ts';
import { formatResultsCsv } from '../core/nab/results-csv.ts';
import { runDetectorOnCorpus } from '../core/nab/run-corpus.ts';
import { labelFile } from '../core/nab/windows.ts';
import { readOptions } from './options.ts';
import { makeFolder } from '../adapters/files/folders.ts';

const USAGE = `usage: urban-brain eval nab --data DIR [--detector NAME] [--out DIR]

Streams every NAB data file through the detector, writes NAB-format results to
OUT/<detector>/<category>/<detector>_<file>.csv and an SVG chart per realKnownCause file
to OUT/<detector>/charts/, and prints the NAB scores beside the published detectors. When
data/ lacks some of the labelled files, the rest are scored, stderr names the missing ones and
the published detectors are left out of the table: the scores are not comparable.

  --data DIR        a NAB checkout (with data/, labels/, results/final_results.json)
  --detector NAME   one of: ${[...DETECTORS.keys()].join(', ')} (default ${DEFAULT_DETECTOR_NAME})
  --out DIR         where to write results (default ./nab-results); checked before the run
`;

const PEERS = ['ARTime', 'numenta', 'contextOSE'];

export async function run(args: string[]): Promise<number> {
  const read = readOptions(
    'eval nab',
    args,
    {
      data: { type: 'string' },
      detector: { type: 'string' },
      out: { type: 'string' },
    },
    USAGE,
  );
  if (!read.ok) return read.exitCode;
  const values = read.values;
  if (values.data === undefined) {
    process.stderr.write(`eval nab: --data DIR is required\n\n${USAGE}`);
    return 2;
  }
  const name = values.detector ?? DEFAULT_DETECTOR_NAME;
  const spec = findDetector(name);
  if (spec === undefined) {
    process.stderr.write(
      `eval nab: unknown detector '${name}' (known: ${[...DETECTORS.keys()].join(', ')})\n`,
    );
    return 2;
  }
  if (values.data.trim() === '') {
    process.stderr.write(`eval nab: --data '${values.data}' must name a NAB directory\n`);
    return 2;
  }
  if (values.out?.trim() === '') {
    process.stderr.write(`eval nab: --out '${values.out}' must name a directory\n`);
    return 2;
  }
  const root = path.resolve(values.data);
  const out = path.resolve(values.out ?? 'nab-results');
  let corpus;
  let peers;
  try {
    corpus = await readNabCorpus(root);
    peers = await readNabFinalResults(root);
  } catch (error) {
    process.stderr.write(`eval nab: ${(error as Error).message}\n`);
    return 2;
  }
  // Checked before the run, which takes a while: the results directory can be made and written.
  try {
    makeFolder(path.join(out, spec.name));
    await access(path.join(out, spec.name), constants.W_OK);
  } catch (error) {
    process.stderr.write(`eval nab: --out '${out}' cannot hold the results: ${(error as Error).message}\n`);
    return 2;
  }
  const missing = missingFiles(corpus);
  if (missing.length > 0)
    process.stderr.write(
      `eval nab: ${missing.length} of ${corpus.windows.size} labelled files are not in ${path.join(root, 'data')} ` +
        `(${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}): the scores are not comparable with the published ones\n`,
    );
  const result = runDetectorOnCorpus(
    spec,
    corpus.series,
    corpus.windows,
    corpus.labelPoints,
    () => performance.now(),
    (done, total, key) => process.stderr.write(`[${done}/${total}] ${key}\n`),
  );
  try {
    await writeResults(out, spec.name, corpus, result);
  } catch (error) {
    process.stderr.write(`eval nab: cannot write the results: ${(error as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`results written under ${path.join(out, spec.name)}\n`);
  process.stdout.write(formatTable(spec.name, result, missing.length === 0 ? peers : new Map()));
  if (missing.length > 0)
    process.stdout.write(
      `\ncorpus:                  ${corpus.series.length} of ${corpus.windows.size} labelled files; the published detectors are not shown\n`,
    );
  return 0;
}

/** Files the labels name that the data folder lacks: a run without them scores a smaller corpus. */
function missingFiles(corpus: NabCorpus): string[] {
  const present = new Set(corpus.series.map((series) => series.key));
  return [...corpus.windows.keys()].filter((key) => !present.has(key)).sort();
}

/** Writes the NAB-format result file of every series and a chart per realKnownCause series. */
async function writeResults(
  out: string,
  name: string,
  corpus: NabCorpus,
  result: ReturnType<typeof runDetectorOnCorpus>,
): Promise<void> {
  const threshold = result.evaluation.profiles.standard.threshold;
  for (const [index, series] of corpus.series.entries()) {
    const scores = result.scores[index] as Float64Array;
    const labels = labelFile(series.timestampsMillis, corpus.windows.get(series.key) ?? []);
    const dir = path.join(out, name, series.category);
    makeFolder(dir);
    await writeFile(
      path.join(dir, `${name}_${series.name}`),
      formatResultsCsv(series.timestampsMillis, series.values, scores, labels),
    );
    if (series.category === 'realKnownCause') {
      const charts = path.join(out, name, 'charts');
      makeFolder(charts);
      const svg = renderChart({
        title: `${name}: ${series.key}`,
        values: series.values,
        scores,
        labels,
        threshold,
      });
      await writeFile(path.join(charts, series.name.replace(/\.csv$/, '.svg')), svg);
    }
  }
}

function formatTable(
  name: string,
  result: ReturnType<typeof runDetectorOnCorpus>,
  peers: Map<string, Record<string, number>>,
): string {
  const { profiles, early, falsePositiveRows } = result.evaluation;
  const row = (
    label: string,
    standard: number | undefined,
    lowFp: number | undefined,
    lowFn: number | undefined,
  ): string => `${label.padEnd(14)} ${fmt(standard)} ${fmt(lowFp)} ${fmt(lowFn)}`;
  const lines = [
    `${'detector'.padEnd(14)} ${'standard'.padStart(9)} ${'low_FP'.padStart(9)} ${'low_FN'.padStart(9)}`,
    row(
      name,
      profiles.standard.normalisedScore,
      profiles.reward_low_FP_rate.normalisedScore,
      profiles.reward_low_FN_rate.normalisedScore,
    ),
  ];
  for (const peer of PEERS) {
    const scores = peers.get(peer);
    if (scores !== undefined)
      lines.push(row(peer, scores['standard'], scores['reward_low_FP_rate'], scores['reward_low_FN_rate']));
  }
  lines.push(
    '',
    `standard threshold:      ${profiles.standard.threshold}`,
    `windows detected:        ${profiles.standard.detectedWindows} of ${result.evaluation.windowCount}`,
    `early detection rate:    ${(100 * early.rate).toFixed(1)} % (${early.earlyWindows} of ${early.windowCount} windows at or before the labelled point)`,
    `false-positive rows:     ${falsePositiveRows}`,
    `points per second:       ${Math.round(result.pointsPerSecond)} (${result.points} points, detector time only)`,
  );
  return lines.join('\n') + '\n';
}

function fmt(value: number | undefined): string {
  return (value === undefined ? '—' : value.toFixed(2)).padStart(9);
}
