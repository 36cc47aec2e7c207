/** One point of the evidence behind an alert: a reading and the score the detector gave it. */
export interface EvidencePoint {
  /** Epoch milliseconds of the reading. */
  ts: number;
  value: number;
  /** Detector score in [0, 1]. */
  score: number;
}

/**
 * A detector score at or over the threshold, raised for one sensor. `ts` is the reading's time (event
 * time, so a replay alerts at the times the data says); `evidence` the most recent points of that
 * sensor up to and including the one that crossed, oldest first.
 */
export interface Alert {
  id: string;
  sensor: string;
  asset: string;
  score: number;
  threshold: number;
  ts: number;
  evidence: EvidencePoint[];
  /** Id of the work order the alert opened or updated. */
  workOrder: string;
}

/** Per-sensor alerting memory the rules need: when this sensor last raised an alert. */
export interface SensorAlertState {
  lastAlertAt: number | null;
}

export type AlertDecision = { raise: true } | { raise: false; reason: 'below-threshold' | 'suppressed' };

/**
 * A score at or over the threshold raises an alert (the same rule as the detector's offline
 * detections, so the shipped threshold means the same thing live), unless the same sensor raised one less than
 * `suppressionMillis` before (event time): one excursion gives one alert, not one per reading.
 */
export function decideAlert(
  score: number,
  threshold: number,
  ts: number,
  state: SensorAlertState,
  suppressionMillis: number,
): AlertDecision {
  if (!(score >= threshold)) return { raise: false, reason: 'below-threshold' };
  if (state.lastAlertAt !== null && ts - state.lastAlertAt < suppressionMillis && ts >= state.lastAlertAt) {
    return { raise: false, reason: 'suppressed' };
  }
  return { raise: true };
}
