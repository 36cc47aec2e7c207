import type { ParsedBatch, Reading, Rejection } from './reading.ts';

/**
 * Readings as three columns, reading `i` being `sensors[i]`, `timestamps[i]`, `values[i]`: the
 * form the edge's parsers collect a batch in. A reading object lives until its batch is durable,
 * long enough to be copied by the young collector, and each of its numbers is an object of its
 * own; a column of numbers is one buffer, outside the collected heap, whatever the batch's size.
 */
export interface ReadingColumns {
  readonly length: number;
  readonly sensors: readonly string[];
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

const FIRST_CAPACITY = 64;
/** Most elements `presized` makes room for: V8 makes a larger `new Array(n)` a dictionary, slow to fill. */
const MOST_PRESIZED = 65_536;

/**
 * An empty array with room for `capacity` elements (at most MOST_PRESIZED; it grows past them as
 * any array does), to be filled by index from 0 and cut to length once full.
 */
export function presized<T>(capacity = FIRST_CAPACITY): T[] {
  return new Array<T>(Math.max(1, Math.min(Math.ceil(capacity), MOST_PRESIZED)));
}

/** Columns filled one reading at a time. */
export class ReadingColumnsBuilder {
  /**
   * Sized as the number columns are (an array grown by `push` from empty is copied a dozen times
   * for a batch of 5,000: three times its final size allocated); cut to length by `columns()`.
   */
  readonly #sensors: string[];
  #timestamps: Float64Array;
  #values: Float64Array;
  #length = 0;

  /** `capacity`: the readings expected (more may come; the columns then grow). */
  constructor(capacity = FIRST_CAPACITY) {
    const size = Math.max(1, Math.ceil(capacity));
    this.#sensors = presized(size);
    this.#timestamps = new Float64Array(size);
    this.#values = new Float64Array(size);
  }

  get length(): number {
    return this.#length;
  }

  push(sensor: string, ts: number, value: number): void {
    const row = this.#length;
    if (row === this.#timestamps.length) this.#grow();
    this.#sensors[row] = sensor;
    this.#timestamps[row] = ts;
    this.#values[row] = value;
    this.#length = row + 1;
  }

  /** The readings, once all are pushed (the columns are handed over, not copied). */
  columns(): ReadingColumns {
    const length = this.#length;
    this.#sensors.length = length;
    return {
      length,
      sensors: this.#sensors,
      timestamps: this.#timestamps.subarray(0, length),
      values: this.#values.subarray(0, length),
    };
  }

  #grow(): void {
    const timestamps = new Float64Array(2 * this.#timestamps.length);
    timestamps.set(this.#timestamps);
    this.#timestamps = timestamps;
    const values = new Float64Array(2 * this.#values.length);
    values.set(this.#values);
    this.#values = values;
  }
}

/** The columns' readings as objects, in order. */
export function readingsOf(columns: ReadingColumns): Reading[] {
  const { sensors, timestamps, values } = columns;
  const readings = new Array<Reading>(columns.length);
  for (let index = 0; index < columns.length; index++) {
    readings[index] = {
      sensor: sensors[index] as string,
      ts: timestamps[index] as number,
      value: values[index] as number,
    };
  }
  return readings;
}

/** A parsed batch whose readings are columns; the objects are made on first use. */
export class ColumnarBatch implements ParsedBatch {
  #readings: Reading[] | undefined;

  constructor(
    readonly columns: ReadingColumns,
    readonly rejected: Rejection[],
    readonly items?: number[],
  ) {}

  get readings(): Reading[] {
    return (this.#readings ??= readingsOf(this.columns));
  }
}

/**
 * Joins parsed batches into one as they come (an MQTT client's messages): the first is kept as it
 * is while it is alone; then their readings are copied into columns while every batch has them,
 * and into objects from the first that has none. Each batch's own objects and columns are not kept,
 * so they die young. Item positions are not kept (each batch counted its own).
 */
export class BatchJoiner {
  readonly rejected: Rejection[] = [];
  readings = 0;
  #added = 0;
  #first: ParsedBatch | undefined;
  #columns: ReadingColumnsBuilder | undefined;
  #objects: Reading[] | undefined;

  /** Adds a batch; returns how many readings and rejections it brought. */
  add(batch: ParsedBatch): number {
    const readings = batch.columns?.length ?? batch.readings.length;
    this.readings += readings;
    for (const rejection of batch.rejected) this.rejected.push(rejection);
    if (this.#added++ === 0) this.#first = batch;
    else {
      if (this.#first !== undefined) {
        this.#absorb(this.#first);
        this.#first = undefined;
      }
      this.#absorb(batch);
    }
    return readings + batch.rejected.length;
  }

  /** The joined batch, once every batch is added. */
  batch(): ParsedBatch {
    if (this.#first !== undefined) return this.#first;
    if (this.#objects !== undefined) return { readings: this.#objects, rejected: this.rejected };
    return new ColumnarBatch((this.#columns ?? new ReadingColumnsBuilder(0)).columns(), this.rejected);
  }

  #absorb(batch: ParsedBatch): void {
    const columns = batch.columns;
    if (this.#objects === undefined && columns !== undefined) {
      const builder = (this.#columns ??= new ReadingColumnsBuilder(
        Math.max(FIRST_CAPACITY, 2 * columns.length),
      ));
      const { sensors, timestamps, values, length } = columns;
      for (let index = 0; index < length; index++)
        builder.push(sensors[index] as string, timestamps[index] as number, values[index] as number);
      return;
    }
    if (this.#objects === undefined) {
      this.#objects = this.#columns === undefined ? [] : readingsOf(this.#columns.columns());
      this.#columns = undefined;
    }
    for (const reading of batch.readings) this.#objects.push(reading);
  }
}
