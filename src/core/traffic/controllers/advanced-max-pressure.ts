/**
 * Efficient-MP (Wu et al. 2021) and Advanced-MP (Zhang et al. 2022).
 * Efficient pressure of a phase = sum over its movements of (mean queue on
 * the incoming lanes - mean queue on the outgoing lanes). Advanced-MP keeps
 * the current phase while its effectively running vehicles (moving within the
 * detection zone of its incoming lanes) outnumber the best efficient pressure.
 */
import type { Decision, IntersectionObservation, Phase, SignalController } from '../controller.ts';
import { approaching, bestPhase, meanLanes, phaseMovements, sumLanes, waiting } from './pressure.ts';

function efficientPressure(o: IntersectionObservation, phase: Phase): number {
  let pressure = 0;
  for (const m of phaseMovements(o, phase)) {
    pressure += meanLanes(o, m.incomingLanes, waiting) - meanLanes(o, m.outgoingLanes, waiting);
  }
  return pressure;
}

export function createEfficientMaxPressure(): SignalController {
  return {
    name: 'efficient-mp',
    decide(network, due) {
      const decisions = new Map<string, Decision>();
      for (const id of due) {
        const o = network.intersections.get(id)!;
        decisions.set(id, { phase: bestPhase(o, (p) => efficientPressure(o, p)) });
      }
      return decisions;
    },
  };
}

export function createAdvancedMaxPressure(): SignalController {
  return {
    name: 'advanced-mp',
    decide(network, due) {
      const decisions = new Map<string, Decision>();
      for (const id of due) {
        const o = network.intersections.get(id)!;
        const best = bestPhase(o, (p) => efficientPressure(o, p));
        const bestPressure = efficientPressure(
          o,
          o.layout.phases.find((p) => p.index === best)!,
        );
        const current = o.layout.phases.find((p) => p.index === o.currentPhase);
        let running = 0;
        if (current !== undefined) {
          for (const m of phaseMovements(o, current)) running += sumLanes(o, m.incomingLanes, approaching);
        }
        decisions.set(id, { phase: current !== undefined && running > bestPressure ? current.index : best });
      }
      return decisions;
    },
  };
}
