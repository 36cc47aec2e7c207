import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDelimited, readNumericSeries } from '../../core/anomaly/delimited.ts';
import { parseFinalResults, parsePointLabels, parseWindowLabels } from '../../core/nab/labels.ts';
import type { WindowSpan } from '../../core/nab/windows.ts';

/** One NAB data file. `key` is `<category>/<file>.csv`, as in the label files. */
export interface NabSeries {
  key: string;
  category: string;
  name: string;
  timestampsMillis: Float64Array;
  values: Float64Array;
}

/** The NAB corpus as read from a NAB checkout (`data/`, `labels/`, `results/`). */
export interface NabCorpus {
  series: NabSeries[];
  windows: Map<string, WindowSpan[]>;
  labelPoints: Map<string, number[]>;
}

/** Reads every `data/<category>/*.csv` that has an entry in labels/combined_windows.json. */
export async function readNabCorpus(root: string): Promise<NabCorpus> {
  const windows = unwrap(
    parseWindowLabels(await readJson(path.join(root, 'labels', 'combined_windows.json'))),
  );
  const labelPoints = unwrap(
    parsePointLabels(await readJson(path.join(root, 'labels', 'combined_labels.json'))),
  );
  const dataDir = path.join(root, 'data');
  const series: NabSeries[] = [];
  for (const category of (await readdir(dataDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()) {
    for (const name of (await readdir(path.join(dataDir, category)))
      .filter((f) => f.endsWith('.csv'))
      .sort()) {
      const key = `${category}/${name}`;
      if (!windows.has(key)) continue;
      const file = path.join(dataDir, category, name);
      const table = unwrap(parseDelimited(await readFile(file, 'utf8'), file));
      const parsed = unwrap(readNumericSeries(table, file, ['value']));
      series.push({
        key,
        category,
        name,
        timestampsMillis: parsed.timestampsMillis,
        values: parsed.columns.get('value') as Float64Array,
      });
    }
  }
  if (series.length === 0) throw new Error(`${dataDir}: no labelled NAB data files found`);
  return { series, windows, labelPoints };
}

/** Reads the `anomaly_score` column of a published result file `results/<detector>/<category>/<detector>_<file>`. */
export async function readNabResultScores(
  root: string,
  detector: string,
  key: string,
): Promise<{ timestampsMillis: Float64Array; scores: Float64Array }> {
  const [category, name] = key.split('/') as [string, string];
  const file = path.join(root, 'results', detector, category, `${detector}_${name}`);
  const table = unwrap(parseDelimited(await readFile(file, 'utf8'), file));
  const parsed = unwrap(readNumericSeries(table, file, ['anomaly_score']));
  return {
    timestampsMillis: parsed.timestampsMillis,
    scores: parsed.columns.get('anomaly_score') as Float64Array,
  };
}

/** Reads results/final_results.json: detector → profile → normalised score. */
export async function readNabFinalResults(root: string): Promise<Map<string, Record<string, number>>> {
  return unwrap(parseFinalResults(await readJson(path.join(root, 'results', 'final_results.json'))));
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}
