/**
 * Emergency priority on top of any controller: an intersection with a
 * pending request shows a green that serves the emergency vehicle's movement
 * (the current one if it already does) and decides again soon; all other
 * intersections are left to the wrapped controller.
 */
import type { Decision, PriorityRequest, SignalController } from '../controller.ts';

export function withEmergencyPriority(inner: SignalController, recheckSeconds = 5): SignalController {
  return {
    name: `${inner.name}+priority`,
    ...(inner.detectionMetres === undefined ? {} : { detectionMetres: inner.detectionMetres }),
    decide(network, due, priority?: ReadonlyMap<string, PriorityRequest>) {
      const rest = priority === undefined ? due : due.filter((id) => !priority.has(id));
      const decisions = rest.length > 0 ? inner.decide(network, rest, priority) : new Map<string, Decision>();
      if (priority === undefined) return decisions;
      for (const id of due) {
        const request = priority.get(id);
        if (request === undefined) continue;
        const o = network.intersections.get(id)!;
        const serving = o.layout.phases.filter((p) => p.movementIds.includes(request.movementId));
        if (serving.length === 0) {
          // Always-green movement (e.g. a right turn): nothing to clear.
          const fallback = inner.decide(network, [id], priority).get(id);
          if (fallback !== undefined) decisions.set(id, fallback);
          continue;
        }
        const keep = serving.find((p) => p.index === o.currentPhase);
        decisions.set(id, { phase: (keep ?? serving[0]!).index, nextDecisionSeconds: recheckSeconds });
      }
      return decisions;
    },
  };
}
