/**
 * How the recent tail is cut for its rollups, and a rollup table for its compaction. DuckDB's
 * grouping (with `arg_max`) held its groups in memory in our tests, without spilling to disk:
 * 2,000,000 groups ran 48 MB out with two threads, 4,000,000 ran 32 MB out with one, and a tail
 * of up to 4,000,000 readings can be a group per reading. So the tail is grouped in slices of at
 * most about `maxRows` readings: ranges of sensor keys, whole blocks of keys at a time, so that a
 * sensor's bucket gets one partial row per run; a block holding more than `maxRows` on its own (few
 * sensors, many readings each) is cut further by row id, its few buckets across a cut getting two
 * rows. The same slices of keys bound a rollup compaction's grouping (there without row ids: a
 * bucket's partial rows must all be in the slice that merges them).
 */

/** Rows whose sensor key is in one block of `blockKeys` keys; with their row ids, if they may be cut. */
export interface KeyBlock {
  block: number;
  rows: number;
  /** The most groups (sensor and minute) the rows can make, if known: a block is cut no finer. */
  groups?: number;
  rowIds?: { first: number; last: number };
}

/** Rows of the tail with `fromKey <= sensor < toKey` (and, if given, `fromRowId <= rowid < toRowId`). */
export interface RecentSlice {
  fromKey: number;
  toKey: number;
  rowIds?: { from: number; to: number };
}

/** Number of sensor keys in one block of the count that slicing starts from. */
export const blockKeys = 4_096;

/** SQL that counts rows of `table` matching `where` per block of keys, in block order (rows of `keyBlocks`). */
export function keyBlocksSql(table: string, where: string): string {
  return `SELECT sensor // ${blockKeys} AS block, count(*) FROM ${table} WHERE ${where} GROUP BY block ORDER BY block`;
}

/**
 * Cuts rows, given their blocks in block order, into slices of at most about `maxRows` rows. A
 * block over `maxRows` is cut by row id if its row ids are given, else it is a slice of its own.
 */
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
    const rowIds = block.rowIds;
    if (block.rows > maxRows) {
      close();
      if (rowIds === undefined) {
        slices.push({ fromKey, toKey });
        continue;
      }
      const parts = Math.ceil(Math.min(block.rows, block.groups ?? block.rows) / maxRows);
      const span = rowIds.last + 1 - rowIds.first;
      for (let part = 0; part < parts; part++) {
        const from = rowIds.first + Math.floor((span * part) / parts);
        const to = rowIds.first + Math.floor((span * (part + 1)) / parts);
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

/** WHERE condition of one slice, on the columns of table `alias` if given. */
export function sliceCondition(slice: RecentSlice, alias?: string): string {
  const column = (name: string) => (alias === undefined ? name : `${alias}.${name}`);
  const keys = `${column('sensor')} >= ${slice.fromKey} AND ${column('sensor')} < ${slice.toKey}`;
  const rows = slice.rowIds;
  return rows === undefined
    ? keys
    : `${keys} AND ${column('rowid')} >= ${rows.from} AND ${column('rowid')} < ${rows.to}`;
}

/**
 * SQL that counts the recent tail's readings per block of keys, in block order, with their row ids
 * and the span of their timestamps (rows of `tailBlocks`).
 */
export const tailBlocksSql =
  `SELECT sensor // ${blockKeys} AS block, count(*), min(rowid), max(rowid), max(ts) - min(ts) ` +
  'FROM readings_recent GROUP BY block ORDER BY block';

/** SQL of the oldest timestamp in the recent tail (NULL when it is empty). */
export const tailOldestSql = 'SELECT min(ts) FROM readings_recent';

/**
 * `KeyBlock`s of the tail, each with the most minute buckets its readings can fill: a block's
 * sensors, each with a bucket per minute of the block's span and one more. Few sensors sending often
 * (1,157 sensors sending every second: a tail of 4,000,000 readings spans 58 minutes, at most
 * 4,096 × 59 groups a block) are then grouped at once, not cut by row id into parts that each read
 * the tail again.
 */
export function tailBlocks(rows: readonly (readonly unknown[])[]): KeyBlock[] {
  return rows.map(([block, count, first, last, span]) => ({
    block: Number(block),
    rows: Number(count),
    groups: blockKeys * (Math.floor(Number(span) / 60_000) + 2),
    rowIds: { first: Number(first), last: Number(last) },
  }));
}

/** `KeyBlock`s of the rows `keyBlocksSql` read (without row ids: such blocks are never cut). */
export function keyBlocks(rows: readonly (readonly unknown[])[]): KeyBlock[] {
  return rows.map(([block, count]) => ({ block: Number(block), rows: Number(count) }));
}
