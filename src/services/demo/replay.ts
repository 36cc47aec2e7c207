/** A recorded NAB series: timestamps (epoch milliseconds, the file's wall-clock read as UTC) and values. */
export interface RecordedSeries {
  timestamps: Float64Array;
  values: Float64Array;
}

/** Parses NAB's `timestamp,value` CSV text. Throws naming the row when a line is malformed. */
export function parseNabCsv(text: string, name: string): RecordedSeries {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const timestamps = new Float64Array(lines.length - 1);
  const values = new Float64Array(lines.length - 1);
  for (let row = 1; row < lines.length; row += 1) {
    const [stamp = '', value = ''] = (lines[row] as string).split(',');
    const ts = Date.parse(`${stamp.trim().replace(' ', 'T')}Z`);
    const number = Number(value);
    if (!Number.isFinite(ts) || value.trim() === '' || !Number.isFinite(number)) {
      throw new Error(
        `${name}: row ${row + 1}: expected "timestamp,value", got ${JSON.stringify(lines[row])}`,
      );
    }
    timestamps[row - 1] = ts;
    values[row - 1] = number;
  }
  return { timestamps, values };
}

/** One sensor of the city that replays a recorded series. */
export interface ReplayStream {
  sensor: string;
  file: string;
  /** A labelled anomaly of the file (NAB `combined_labels.json`), in the file's clock. */
  labelAt: string;
}

/**
 * Where a recording sits on the wall clock. The live part starts `leadMillis` (recorded time)
 * before a labelled anomaly; everything before is history, stamped in the past. Recorded
 * time runs `speed` times faster than the wall clock.
 */
export interface ReplayPlan {
  series: RecordedSeries;
  /** Recorded time that coincides with `wallStartMillis`. */
  cueMillis: number;
  wallStartMillis: number;
  speed: number;
}

export function wallTimeOf(plan: ReplayPlan, index: number): number {
  const recorded = plan.series.timestamps[index] as number;
  return Math.round(plan.wallStartMillis + (recorded - plan.cueMillis) / plan.speed);
}

/** Index of the first row at or after the cue: rows before it are history. */
export function firstLiveIndex(plan: ReplayPlan): number {
  const { timestamps } = plan.series;
  let index = 0;
  while (index < timestamps.length && (timestamps[index] as number) < plan.cueMillis) index += 1;
  return index;
}

/** Index of the first row stamped at or after `wallMillis` on the wall clock (the length if none). */
export function firstIndexFrom(plan: ReplayPlan, wallMillis: number): number {
  const { timestamps } = plan.series;
  let index = 0;
  while (index < timestamps.length && wallTimeOf(plan, index) < wallMillis) index += 1;
  return index;
}
