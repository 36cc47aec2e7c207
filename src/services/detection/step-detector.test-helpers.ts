import type { AnomalyDetector, DetectorSpec } from '../../core/anomaly/detector.ts';

/** Scores a reading 1 when its value is at least 100, else 0; its state is the count of readings seen. */
class StepDetector implements AnomalyDetector {
  constructor(public seen = 0) {}
  update(_ts: number, value: number): number {
    this.seen += 1;
    return value >= 100 ? 1 : 0;
  }
  snapshot(): Uint8Array {
    return Uint8Array.of(this.seen);
  }
}

/** Scores 1 from a value of 100 up; its one-byte state is the count of readings seen (mod 256). */
export const stepDetector: DetectorSpec = {
  name: 'step',
  summary: 'scores 1 from a value of 100 up',
  threshold: 0.5,
  create: () => new StepDetector(),
  restore(state) {
    if (state.byteLength !== 1) throw new Error(`step: snapshot holds ${state.byteLength} bytes, expected 1`);
    return new StepDetector(state[0]);
  },
};
