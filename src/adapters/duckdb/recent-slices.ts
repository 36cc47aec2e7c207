/**
 * How the recent tail is cut for its rollups. DuckDB groups in memory, and an aggregate with
 * `arg_max` does not spill to disk: grouping a 4,000,000-row tail of a million sensors at once (one
 * group per reading at worst) runs its 64 MB out. So the tail is grouped in slices of at most about
 * `maxRows` readings: ranges of sensor keys, whole blocks of keys at a time, so that a sensor's
 * bucket gets one partial row per run; a block holding more than `maxRows` on its own (few sensors,
 * many readings each) is cut further by row id, its few buckets across a cut getting two rows.
 */

/** Readings of the tail whose sensor key is in one block of `blockKeys` keys. */
export interface KeyBlock {
  block: number;
  rows: number;
  firstRowId: number;
  lastRowId: number;
}

/** Rows of the tail with `fromKey <= sensor < toKey` (and, if given, `fromRowId <= rowid < toRowId`). */
export interface RecentSlice {
  fromKey: number;
  toKey: number;
  rowIds?: { from: number; to: number };
}

/** Number of sensor keys in one block of the count that slicing starts from. */
export const blockKeys = 4_096;

/** SQL that counts the tail's readings per block of keys, in block order (rows of `KeyBlock`). */
export const keyBlocksSql =
  `SELECT sensor // ${blockKeys} AS block, count(*), min(rowid), max(rowid) ` +
  'FROM readings_recent GROUP BY block ORDER BY block';

/** Cuts the tail, given its blocks in block order, into slices of at most about `maxRows` readings. */
export function recentSlices(blocks: readonly KeyBlock[], maxRows: number): RecentSlice[] {
  if (!(maxRows >= 1)) throw new RangeError(`maxRows must be >= 1, got ${maxRows}`);
  const slices: RecentSlice[] = [];
  let open: { fromKey: number; toKey: number; rows: number } | undefined;
  const close = () => {
    if (open !== undefined) slices.push({ fromKey: open.fromKey, toKey: open.toKey });
    open = undefined;
  };
  for (const block of blocks) {
    const fromKey = block.block * blockKeys;
    const toKey = fromKey + blockKeys;
    if (block.rows > maxRows) {
      close();
      const parts = Math.ceil(block.rows / maxRows);
      const span = block.lastRowId + 1 - block.firstRowId;
      for (let part = 0; part < parts; part++) {
        const from = block.firstRowId + Math.floor((span * part) / parts);
        const to = block.firstRowId + Math.floor((span * (part + 1)) / parts);
        slices.push({ fromKey, toKey, rowIds: { from, to } });
      }
      continue;
    }
    if (open !== undefined && open.rows + block.rows > maxRows) close();
    if (open === undefined) open = { fromKey, toKey, rows: 0 };
    open.toKey = toKey;
    open.rows += block.rows;
  }
  close();
  return slices;
}

/** WHERE condition of one slice. */
export function sliceCondition(slice: RecentSlice): string {
  const keys = `sensor >= ${slice.fromKey} AND sensor < ${slice.toKey}`;
  const rows = slice.rowIds;
  return rows === undefined ? keys : `${keys} AND rowid >= ${rows.from} AND rowid < ${rows.to}`;
}
