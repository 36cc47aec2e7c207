/**
 * The roadnet's own signal plan (CityFlow without an external controller):
 * every intersection cycles through all its light phases for their stated
 * times, starting in phase 0.
 */
import type { Engine } from './engine.ts';
import { measureRun, type RunMetrics } from './metrics.ts';
import type { RoadnetSpec } from './scenario.ts';

export function runNativePlan(
  engine: Engine,
  roadnet: RoadnetSpec,
  steps: number,
  onProgress?: (step: number) => void,
): RunMetrics {
  const signals = engine.network.intersections
    .filter((i) => !i.virtual && i.phaseLinks.length > 0)
    .map((intersection) => ({
      intersection,
      times: roadnet.intersections[intersection.index]!.lightPhases.map((p) => p.timeSeconds),
      remaining: 0,
    }));
  for (const s of signals) {
    s.intersection.setLightPhase(0);
    s.remaining = s.times[0]!;
  }
  for (let step = 0; step < steps; step++) {
    engine.nextStep();
    for (const s of signals) {
      s.remaining -= engine.intervalSeconds;
      while (s.remaining <= 0) {
        const next = (s.intersection.lightPhase + 1) % s.times.length;
        s.intersection.setLightPhase(next);
        s.remaining += s.times[next]!;
      }
    }
    if (onProgress !== undefined && (step + 1) % 600 === 0) onProgress(step + 1);
  }
  return measureRun(engine, signals.filter((s) => s.times.length > 1).length);
}
