/**
 * A streaming anomaly detector for one sensor. It sees one reading at a time, in arrival order,
 * never looks ahead, and costs O(1) or O(window) per reading.
 */
export interface AnomalyDetector {
  /** Scores one reading (`timestampMillis` epoch ms, finite `value`): 0 is normal, 1 most anomalous. */
  update(timestampMillis: number, value: number): number;
  /** The whole state as bytes; `restore` of these bytes continues exactly where this left off. */
  snapshot(): Uint8Array;
  /**
   * `snapshot()` written into `into` from byte `at` without allocating; returns the bytes written,
   * or −1 (nothing written) when they do not fit.
   */
  snapshotInto?(into: Uint8Array, at: number): number;
  /**
   * Gives the memory of a detector that is done with back (its state may be handed to another
   * detector at once); the detector must not be used after. Where absent, the garbage collector
   * takes it.
   */
  release?(): void;
  /** Readings seen so far, where the detector counts them (survives snapshot and restore). */
  readingsSeen?(): number;
  /**
   * Timestamp of the first reading seen, where the detector keeps it (survives snapshot and
   * restore); −∞ when a restored state predates it, NaN before the first reading.
   */
  firstTimestamp?(): number;
}

/** A named detector configuration with its shipped threshold (the one used live). */
export interface DetectorSpec {
  name: string;
  summary: string;
  /** Scores ≥ threshold are detections. Chosen once for the whole NAB corpus. */
  threshold: number;
  create(): AnomalyDetector;
  /** Rebuilds a detector from `snapshot()` bytes, or undefined if they are not this detector's. */
  restore(snapshot: Uint8Array): AnomalyDetector | undefined;
}

/** Copies a Float64Array state vector into snapshot bytes. */
export function stateToBytes(state: Float64Array): Uint8Array {
  return new Uint8Array(state.buffer.slice(state.byteOffset, state.byteOffset + state.byteLength));
}

/** Reads snapshot bytes back into a state vector; undefined unless they hold `length` numbers. */
export function bytesToState(bytes: Uint8Array, length: number): Float64Array | undefined {
  if (bytes.byteLength !== length * 8) return undefined;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float64Array(copy.buffer);
}

/** Clamps a score into [0, 1]; NaN becomes 0. */
export function clampScore(score: number): number {
  return score > 0 ? (score < 1 ? score : 1) : 0;
}
