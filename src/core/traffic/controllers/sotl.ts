/**
 * SOTL (self-organising traffic lights, Cools et al. 2008): keep the green
 * for at least `minGreenSeconds`; then switch when vehicles near the stop
 * lines of red movements exceed `threshold` while fewer than
 * `platoonVehicles` still approach on green, to the phase with most demand.
 */
import type { Decision, SignalController } from '../controller.ts';
import { bestPhase, phaseMovements, sumLanes } from './pressure.ts';

export interface SotlSettings {
  readonly minGreenSeconds: number;
  readonly threshold: number;
  readonly platoonVehicles: number;
}

export const defaultSotl: SotlSettings = { minGreenSeconds: 10, threshold: 6, platoonVehicles: 3 };

export function createSotl(settings: SotlSettings = defaultSotl): SignalController {
  return {
    name: 'sotl',
    decide(network, due) {
      const decisions = new Map<string, Decision>();
      for (const id of due) {
        const o = network.intersections.get(id)!;
        const demand = (index: number): number => {
          const phase = o.layout.phases.find((p) => p.index === index);
          if (phase === undefined) return 0;
          let total = 0;
          for (const m of phaseMovements(o, phase))
            total += sumLanes(o, m.incomingLanes, (l) => l.nearVehicles);
          return total;
        };
        const best = bestPhase(o, (p) => (p.index === o.currentPhase ? -Infinity : demand(p.index)));
        if (o.currentPhase < 0) {
          decisions.set(id, { phase: bestPhase(o, (p) => demand(p.index)) });
          continue;
        }
        const current = o.layout.phases.find((p) => p.index === o.currentPhase);
        const onGreen =
          current === undefined
            ? 0
            : phaseMovements(o, current).reduce(
                (n, m) => n + sumLanes(o, m.incomingLanes, (l) => l.approachingVehicles),
                0,
              );
        const switchNow =
          o.secondsInPhase >= settings.minGreenSeconds &&
          demand(best) > settings.threshold &&
          onGreen < settings.platoonVehicles;
        decisions.set(id, { phase: switchNow ? best : o.currentPhase });
      }
      return decisions;
    },
  };
}
