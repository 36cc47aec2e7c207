/**
 * Engine-side description of the controlled intersections: movements (one
 * per road link), candidate green phases and neighbours, in the
 * engine-neutral shapes of `controller.ts`.
 */
import type { IntersectionLayout, Movement, Phase } from './controller.ts';
import type { Intersection, Network } from './network.ts';

export interface PhasePlan {
  /** Light phase shown as yellow between greens. */
  readonly yellowLightPhase: number;
  /** Light phases offered to controllers as green phases. */
  readonly greenLightPhases: readonly number[];
}

/** Shown as the yellow where no light phase of the roadnet can serve: every link red. */
export const allRedLightPhase = -1;

/** A light phase that lets through right turns at most: CityFlow's yellow (phase 0 in the field's roadnets). */
function isYellow(intersection: Intersection, phase: number): boolean {
  return (intersection.phaseLinks[phase] ?? []).every(
    (link) => intersection.roadLinks[link]?.type === 'turn_right',
  );
}

/**
 * The field's 4-phase setting: light phase 0 is the yellow (right turns only)
 * and light phases 1-4 are the greens; `phaseCount` 8 offers 1-8. Networks
 * with fewer phases offer all phases but 0. A roadnet whose phase 0 gives
 * green to more than right turns has no yellow phase of its own: all its
 * phases are greens (the first `phaseCount`) and a change shows all red.
 */
export function phasePlan(intersection: Intersection, phaseCount: number): PhasePlan {
  const total = intersection.phaseLinks.length;
  if (total <= 1) return { yellowLightPhase: 0, greenLightPhases: [0] };
  const yellow = isYellow(intersection, 0) ? 0 : allRedLightPhase;
  const greens: number[] = [];
  for (let p = yellow === 0 ? 1 : 0; p < total && greens.length < phaseCount; p++) greens.push(p);
  return { yellowLightPhase: yellow, greenLightPhases: greens };
}

export function movementId(intersection: Intersection, roadLinkIndex: number): string {
  return `${intersection.id}#${roadLinkIndex}`;
}

export function buildLayout(
  intersection: Intersection,
  plan: PhasePlan,
  controlled: ReadonlySet<string>,
): IntersectionLayout {
  const movements: Movement[] = intersection.roadLinks.map((link) => {
    const incoming = [...new Set(link.laneLinks.map((l) => l.startLane.id))];
    const outgoing = [...new Set(link.laneLinks.map((l) => l.endLane.id))];
    return {
      id: movementId(intersection, link.index),
      incomingLanes: incoming,
      outgoingLanes: outgoing.length > 0 ? outgoing : link.endRoad.lanes.map((l) => l.id),
      rightTurn: link.type === 'turn_right',
      incomingRoad: link.startRoad.id,
      outgoingRoad: link.endRoad.id,
    };
  });
  const phases: Phase[] = plan.greenLightPhases.map((p) => ({
    index: p,
    movementIds: (intersection.phaseLinks[p] ?? []).map((k) => movementId(intersection, k)),
  }));
  const neighbours = new Set<string>();
  for (const link of intersection.roadLinks) {
    for (const other of [link.startRoad.start, link.endRoad.end]) {
      if (other !== intersection && controlled.has(other.id)) neighbours.add(other.id);
    }
  }
  return { id: intersection.id, movements, phases, neighbourIds: [...neighbours] };
}

/** Controlled intersections: not virtual, with road links and at least two light phases. */
export function controlledIntersections(network: Network): Intersection[] {
  return network.intersections.filter((i) => !i.virtual && i.roadLinks.length > 0 && i.phaseLinks.length > 1);
}
