import duckdb from '@duckdb/node-bindings';
import { BIGINT, DOUBLE, DuckDBDataChunk, UINTEGER, VARCHAR, type DuckDBAppender } from '@duckdb/node-api';

const TWO_TO_32 = 4_294_967_296;

/**
 * Appends (UINTEGER key, BIGINT ts, DOUBLE value) rows from typed arrays, copying whole vectors
 * at a time: the raw copy runs at over 10 million rows a second where per-value appends would
 * convert every timestamp to a BigInt.
 */
export class ReadingChunkAppender {
  private readonly chunk: DuckDBDataChunk;
  private readonly vectorRows: number;
  private readonly timestampWords: Uint32Array<ArrayBuffer>;
  private readonly keyScratch: Uint32Array<ArrayBuffer>;
  private readonly valueScratch: Float64Array<ArrayBuffer>;

  constructor() {
    this.vectorRows = duckdb.vector_size();
    this.chunk = DuckDBDataChunk.create([UINTEGER, BIGINT, DOUBLE], this.vectorRows);
    this.timestampWords = new Uint32Array(this.vectorRows * 2);
    this.keyScratch = new Uint32Array(this.vectorRows);
    this.valueScratch = new Float64Array(this.vectorRows);
  }

  /** Appends rows whose index is listed in `rows` (or rows 0..length-1 when `rows` is undefined). */
  append(
    appender: DuckDBAppender,
    keys: Uint32Array,
    timestamps: Float64Array,
    values: Float64Array,
    rows: Uint32Array | undefined,
    length: number,
  ): void {
    const keyScratch = this.keyScratch;
    const valueScratch = this.valueScratch;
    const words = this.timestampWords;
    for (let offset = 0; offset < length; offset += this.vectorRows) {
      const count = Math.min(this.vectorRows, length - offset);
      for (let i = 0; i < count; i++) {
        const row = rows === undefined ? offset + i : (rows[offset + i] as number);
        const ts = timestamps[row] as number;
        const high = Math.floor(ts / TWO_TO_32);
        words[2 * i] = ts - high * TWO_TO_32;
        words[2 * i + 1] = high;
        keyScratch[i] = keys[row] as number;
        valueScratch[i] = values[row] as number;
      }
      this.writeVectors(count);
      appender.appendDataChunk(this.chunk);
    }
  }

  private writeVectors(count: number): void {
    this.chunk.rowCount = count;
    const raw = this.chunk.chunk;
    duckdb.copy_data_to_vector(duckdb.data_chunk_get_vector(raw, 0), 0, this.keyScratch.buffer, 0, count * 4);
    duckdb.copy_data_to_vector(
      duckdb.data_chunk_get_vector(raw, 1),
      0,
      this.timestampWords.buffer,
      0,
      count * 8,
    );
    duckdb.copy_data_to_vector(
      duckdb.data_chunk_get_vector(raw, 2),
      0,
      this.valueScratch.buffer,
      0,
      count * 8,
    );
  }
}

/** Appends (UINTEGER key, VARCHAR id) rows of the sensor dictionary. */
export function appendSensorKeys(
  appender: DuckDBAppender,
  entries: readonly (readonly [number, string])[],
): void {
  if (entries.length === 0) return;
  const vectorRows = duckdb.vector_size();
  const chunk = DuckDBDataChunk.create([UINTEGER, VARCHAR]);
  for (let offset = 0; offset < entries.length; offset += vectorRows) {
    const slice = entries.slice(offset, offset + vectorRows);
    chunk.setColumns([slice.map((entry) => entry[0]), slice.map((entry) => entry[1])]);
    appender.appendDataChunk(chunk);
  }
}
