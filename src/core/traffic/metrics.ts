/**
 * Travel-time measures of a run, as defined in cityflow_reference.json:
 * `att` is CityFlow's (whole trip, unfinished vehicles counted with their time
 * so far, over every generated vehicle); `attEnteringLanes` is the
 * Advanced-XLight code's (seconds on lanes entering signalised intersections,
 * over vehicles that entered one).
 */
import type { Engine } from './engine.ts';

export interface RunMetrics {
  readonly att: number;
  readonly attEnteringLanes: number;
  readonly finished: number;
  readonly generated: number;
  /** Vehicles that entered a lane into a signalised intersection (`attEnteringLanes` averages over them). */
  readonly enteredSignalLanes: number;
  /** Signalised intersections `avgQueue` is per (0: none, and `avgQueue` is 0 for want of any). */
  readonly signalisedIntersections: number;
  /** Mean over steps of waiting vehicles (< 0.1 m/s) on entering lanes, per signalised intersection. */
  readonly avgQueue: number;
  /** Mean per generated vehicle of seconds lost to driving below its maximum speed (incl. waiting to enter). */
  readonly avgDelay: number;
  readonly steps: number;
}

export function measureRun(engine: Engine, controlledCount: number): RunMetrics {
  const now = engine.timeSeconds;
  let total = engine.finishedSeconds;
  let entering = 0;
  let entered = 0;
  let delay = engine.bufferedVehicleSeconds;
  for (const v of engine.vehicles) {
    if (!v.finished) total += now - v.enterSeconds;
    if (v.enteredSignalLane) {
      entering += v.enteringSeconds;
      entered++;
    }
    delay += v.delaySeconds;
  }
  const generated = engine.vehicles.length;
  const steps = engine.step;
  return {
    att: generated === 0 ? 0 : total / generated,
    attEnteringLanes: entered === 0 ? 0 : entering / entered,
    finished: engine.finishedCount,
    generated,
    enteredSignalLanes: entered,
    signalisedIntersections: controlledCount,
    avgQueue: steps === 0 || controlledCount === 0 ? 0 : engine.queueVehicleSteps / steps / controlledCount,
    avgDelay: generated === 0 ? 0 : delay / generated,
    steps,
  };
}
