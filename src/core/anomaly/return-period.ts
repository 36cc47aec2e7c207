/**
 * Return-period calibration: turns a raw surprise of any scale into a score in [0, 1] that says
 * how long it has been since the stream last reached this level. The raw axis above the
 * significance floor is cut into LEVEL_COUNT log-spaced levels; for each level the table keeps
 * when it was last reached. A reading at level k, last reached R readings ago, scores
 * log(1 + R) / log(1 + N), where N is the number of readings seen so far, clamped to
 * [minHorizonPoints, horizonPoints]. So 1 means "the highest in the whole (recent) history",
 * whatever the sensor's units, noise or sampling rate.
 *
 * A table entry is the reading number modulo 2^16 (Uint16). Ages are read modulo 2^16, which is
 * exact while they stay below 2^16; `ageLevels`, called every AGE_SWEEP_POINTS readings, caps
 * every age at MAX_AGE_POINTS so that none wraps. Ages beyond the horizon all score 1, so the
 * cap changes no score as long as horizonPoints ≤ MAX_AGE_POINTS.
 */
/**
 * Levels are cut from LOWEST_LEVEL, 11.4 % apart (the spacing of 40 levels from 1.5 to 100). The
 * first ones lie below the significance floor and are not kept; the last, from 11.6 up, holds
 * every larger surprise (the 38 levels up to 100 kept before scored no better on NAB and took
 * twice the memory).
 */
const LOWEST_LEVEL = 1.5;
const CUT_LEVELS = 20;
const LEVEL_RATIO = Math.pow(100 / LOWEST_LEVEL, 1 / 39);
const LOG_LEVEL_RATIO = Math.log(LEVEL_RATIO);

/**
 * Raw surprises below this are not anomalies whatever their return period: each raw surprise of
 * the rarity detector stayed below 2 over 10^6 readings of i.i.d. Gaussian noise, so a stream of
 * pure noise never alarms (a record-based score alone would, as noise keeps setting records).
 */
export const SIGNIFICANCE_FLOOR = 2;

/** Index of the cut level that holds the significance floor: the first one kept. */
const FIRST_LEVEL = Math.floor(Math.log(SIGNIFICANCE_FLOOR / LOWEST_LEVEL) / LOG_LEVEL_RATIO + 1e-9);

/** Entries per level table. */
export const LEVEL_COUNT = CUT_LEVELS - FIRST_LEVEL;

/** Longest age a table holds; older entries read as this old. */
export const MAX_AGE_POINTS = 40_000;
/** `ageLevels` must run at least this often (MAX_AGE_POINTS + AGE_SWEEP_POINTS < 2^16). */
export const AGE_SWEEP_POINTS = 16_384;

export interface HorizonOptions {
  minHorizonPoints: number;
  horizonPoints: number;
}

/**
 * Scores `raw` at reading `index` (count of readings seen) against the level table that starts
 * at `offset` in `table`, then records that the levels up to `raw` were reached now.
 */
export function returnPeriodScore(
  table: Uint16Array,
  offset: number,
  raw: number,
  index: number,
  horizon: HorizonOptions,
): number {
  if (!(raw >= SIGNIFICANCE_FLOOR)) return 0;
  const level = levelOf(raw);
  const since = (index - (table[offset + level] as number)) & 0xffff;
  const span = Math.min(Math.max(index, horizon.minHorizonPoints), horizon.horizonPoints);
  markReached(table, offset, level, index);
  const score = Math.log1p(since) / Math.log1p(span);
  return score < 1 ? score : 1;
}

/**
 * What `returnPeriodScore` records, without the score: for a reading whose score is not used (a
 * detector still warming up), the table left as the scoring call would leave it.
 */
export function recordReturnLevel(table: Uint16Array, offset: number, raw: number, index: number): void {
  if (raw >= SIGNIFICANCE_FLOOR) markReached(table, offset, levelOf(raw), index);
}

/** The cut level that holds `raw` (at least SIGNIFICANCE_FLOOR), counted from the first one kept. */
function levelOf(raw: number): number {
  const cut = Math.floor(Math.log(raw / LOWEST_LEVEL) / LOG_LEVEL_RATIO + 1e-9);
  return Math.min(LEVEL_COUNT - 1, cut - FIRST_LEVEL);
}

/** Records that the levels up to `level` were reached at reading `index`. */
function markReached(table: Uint16Array, offset: number, level: number, index: number): void {
  const now = index & 0xffff;
  for (let k = 0; k <= level; k++) table[offset + k] = now;
}

/**
 * Caps every age in `table[offset .. offset + length)` (reading numbers modulo 2^16) at
 * MAX_AGE_POINTS; see the module note.
 */
export function ageLevels(
  table: Uint16Array,
  index: number,
  offset = 0,
  length = table.length - offset,
): void {
  const oldest = (index - MAX_AGE_POINTS) & 0xffff;
  const end = offset + length;
  for (let k = offset; k < end; k++)
    if (((index - (table[k] as number)) & 0xffff) > MAX_AGE_POINTS) table[k] = oldest;
}
