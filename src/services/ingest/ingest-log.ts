/** The write-ahead log as the pipeline uses it (implemented by `adapters/wal`). */
export interface IngestLog {
  readonly currentSegment: number;
  readonly backlogBytes: number;
  needsDefine(key: number): boolean;
  append(batch: {
    defines: readonly (readonly [number, string])[];
    keys: Uint32Array;
    timestamps: Float64Array;
    values: Float64Array;
    length: number;
  }): Promise<void>;
  rotate(): Promise<number>;
  removeBefore(sequence: number): void;
  close(): Promise<void>;
}
