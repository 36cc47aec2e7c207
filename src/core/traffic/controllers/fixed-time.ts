/** FixedTime: the phases in turn, each for `greenSeconds` of green after the yellow. */
import type { DecisionCadence, Decision, IntersectionLayout, SignalController } from '../controller.ts';

export function createFixedTime(
  layouts: readonly IntersectionLayout[],
  cadence: DecisionCadence,
  greenSeconds = 30,
): SignalController {
  const position = new Map<string, number>(layouts.map((l) => [l.id, -1]));
  const byId = new Map(layouts.map((l) => [l.id, l]));
  return {
    name: 'fixed',
    decide(_network, due) {
      const decisions = new Map<string, Decision>();
      for (const id of due) {
        const layout = byId.get(id)!;
        const next = (position.get(id)! + 1) % layout.phases.length;
        position.set(id, next);
        const yellow = layout.phases.length > 1 ? cadence.yellowSeconds : 0;
        decisions.set(id, { phase: layout.phases[next]!.index, nextDecisionSeconds: greenSeconds + yellow });
      }
      return decisions;
    },
  };
}
