/**
 * MaxPressure (Varaiya 2013) exactly as in cityflow_reference.json: pressure
 * of a phase = sum over its non-right-turn movements of (waiting vehicles on
 * the incoming lanes - mean waiting vehicles on the outgoing lanes).
 */
import type { Decision, SignalController } from '../controller.ts';
import { bestPhase, meanLanes, phaseMovements, sumLanes, waiting } from './pressure.ts';

export function createMaxPressure(): SignalController {
  return {
    name: 'maxpressure',
    decide(network, due) {
      const decisions = new Map<string, Decision>();
      for (const id of due) {
        const o = network.intersections.get(id)!;
        const phase = bestPhase(o, (p) => {
          let pressure = 0;
          for (const m of phaseMovements(o, p)) {
            pressure += sumLanes(o, m.incomingLanes, waiting) - meanLanes(o, m.outgoingLanes, waiting);
          }
          return pressure;
        });
        decisions.set(id, { phase });
      }
      return decisions;
    },
  };
}
