import type { ReadingColumns } from './reading-columns.ts';

/** One measurement of one sensor. `ts` is epoch milliseconds (UTC). */
export interface Reading {
  sensor: string;
  ts: number;
  value: number;
}

/**
 * Why one item of a batch was refused. `index` is the item's position in the batch as sent
 * (line number − 1 for line protocol), `field` the field at fault, `rule` a short machine code.
 */
export interface Rejection {
  index: number;
  sensor?: string;
  field: string;
  value: unknown;
  rule: RejectionRule;
  message: string;
}

export type RejectionRule =
  | 'malformed'
  | 'missing'
  | 'not-a-number'
  | 'not-finite'
  | 'bad-timestamp'
  | 'future-timestamp'
  | 'unknown-sensor'
  | 'bad-sensor-id'
  | 'forbidden-sensor';

/** What the edge parsers produce: the readings that passed validation and the items refused. */
export interface ParsedBatch {
  readings: Reading[];
  rejected: Rejection[];
  /**
   * The item (as the client sent it: JSON element, SenML record, line) each reading came from, by
   * reading; absent when every item gives exactly one reading. A line-protocol line gives one reading
   * per field, so a rejection found later (e.g. an unknown sensor) must name its line through this.
   */
  items?: number[];
  /**
   * The same readings as columns, when the parser collected them so (`readings` is then built
   * from them on first use): the edge stores and publishes them without an object per reading.
   * A batch derived from another (filtered, merged) has none.
   */
  readonly columns?: ReadingColumns;
}
