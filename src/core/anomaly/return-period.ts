/**
 * Return-period calibration: turns a raw surprise of any scale into a score in [0, 1] that says
 * how long it has been since the stream last reached this level. The raw axis is cut into
 * LEVEL_COUNT log-spaced levels; for each level the index of the last reading that reached it
 * is kept (LEVEL_COUNT numbers of state). A reading at level k, last reached R readings ago,
 * scores log(1 + R) / log(1 + N), where N is the number of readings seen so far, clamped to
 * [minHorizonPoints, horizonPoints]. So 1 means "the highest in the whole (recent) history",
 * whatever the sensor's units, noise or sampling rate.
 */
export const LEVEL_COUNT = 40;
const LOWEST_LEVEL = 1.5;
const HIGHEST_LEVEL = 100;
const LEVEL_RATIO = Math.pow(HIGHEST_LEVEL / LOWEST_LEVEL, 1 / (LEVEL_COUNT - 1));
const LOG_LEVEL_RATIO = Math.log(LEVEL_RATIO);

/**
 * Raw surprises below this are not anomalies whatever their return period: each raw surprise of
 * the rarity detector stayed below 2 over 10^6 readings of i.i.d. Gaussian noise, so a stream of
 * pure noise never alarms (a record-based score alone would, as noise keeps setting records).
 */
export const SIGNIFICANCE_FLOOR = 2;

export interface HorizonOptions {
  minHorizonPoints: number;
  horizonPoints: number;
}

/**
 * Scores `raw` at reading `index` (1-based count of readings seen) against the level table that
 * starts at `offset` in `state`, then records that the levels up to `raw` were reached now.
 */
export function returnPeriodScore(
  state: Float64Array | Uint32Array,
  offset: number,
  raw: number,
  index: number,
  horizon: HorizonOptions,
): number {
  if (!(raw >= SIGNIFICANCE_FLOOR)) return 0;
  const level = Math.min(LEVEL_COUNT - 1, Math.floor(Math.log(raw / LOWEST_LEVEL) / LOG_LEVEL_RATIO + 1e-9));
  const since = index - (state[offset + level] as number);
  const span = Math.min(Math.max(index, horizon.minHorizonPoints), horizon.horizonPoints);
  for (let k = 0; k <= level; k++) state[offset + k] = index;
  const score = Math.log1p(since) / Math.log1p(span);
  return score < 1 ? score : 1;
}
