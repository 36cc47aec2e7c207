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

/** Columns filled one reading at a time. */
export class ReadingColumnsBuilder {
  readonly #sensors: string[] = [];
  #timestamps: Float64Array;
  #values: Float64Array;
  #length = 0;

  /** `capacity`: the readings expected (more may come; the columns then grow). */
  constructor(capacity = FIRST_CAPACITY) {
    const size = Math.max(1, Math.ceil(capacity));
    this.#timestamps = new Float64Array(size);
    this.#values = new Float64Array(size);
  }

  get length(): number {
    return this.#length;
  }

  push(sensor: string, ts: number, value: number): void {
    const row = this.#length;
    if (row === this.#timestamps.length) this.#grow();
    this.#sensors.push(sensor);
    this.#timestamps[row] = ts;
    this.#values[row] = value;
    this.#length = row + 1;
  }

  /** The readings, once all are pushed (the columns are handed over, not copied). */
  columns(): ReadingColumns {
    const length = this.#length;
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
 * The readings of `batches` as one batch, with `rejected`: columns when every batch has them,
 * else objects. Item positions are not kept (each batch counted its own).
 */
export function joinedBatch(batches: readonly ParsedBatch[], rejected: Rejection[]): ParsedBatch {
  if (batches.every((batch) => batch.columns !== undefined)) {
    let count = 0;
    for (const batch of batches) count += (batch.columns as ReadingColumns).length;
    const builder = new ReadingColumnsBuilder(count);
    for (const batch of batches) {
      const { sensors, timestamps, values, length } = batch.columns as ReadingColumns;
      for (let index = 0; index < length; index++)
        builder.push(sensors[index] as string, timestamps[index] as number, values[index] as number);
    }
    return new ColumnarBatch(builder.columns(), rejected);
  }
  const readings: Reading[] = [];
  for (const batch of batches) for (const reading of batch.readings) readings.push(reading);
  return { readings, rejected };
}
