import type { IntersectionLayout, Movement, Phase } from '../../core/traffic/controller.ts';
import type { ControlledLink, ProgramLogic } from './traffic-light-values.ts';

/** What SUMO tells us about one traffic light: links by signal index and its active program. */
export interface TrafficLightDescription {
  readonly id: string;
  readonly links: readonly (readonly ControlledLink[])[];
  readonly program: ProgramLogic;
}

/** How to show a chosen phase in SUMO: red-yellow-green strings per phase index. */
export interface SignalPlan {
  readonly id: string;
  /** Phase index -> state string of its green. */
  readonly greenStates: ReadonlyMap<number, string>;
  /** Phase index -> state string of the yellow shown when leaving that green. */
  readonly yellowStates: ReadonlyMap<number, string>;
}

/** Lane id -> edge id: SUMO names lanes `<edge>_<index>`. */
export function edgeOfLane(laneId: string): string {
  const cut = laneId.lastIndexOf('_');
  return cut > 0 ? laneId.slice(0, cut) : laneId;
}

function isGreen(signal: string | undefined): boolean {
  return signal === 'G' || signal === 'g';
}

interface MovementLinks {
  readonly movement: Movement;
  readonly linkIndices: readonly number[];
}

function groupMovements(light: TrafficLightDescription, greenPhases: readonly string[]): MovementLinks[] {
  const groups = new Map<string, { incoming: Set<string>; outgoing: Set<string>; links: number[] }>();
  light.links.forEach((links, index) => {
    for (const link of links) {
      const key = `${edgeOfLane(link.fromLane)}>${edgeOfLane(link.toLane)}`;
      const group = groups.get(key) ?? { incoming: new Set(), outgoing: new Set(), links: [] };
      group.incoming.add(link.fromLane);
      group.outgoing.add(link.toLane);
      if (!group.links.includes(index)) group.links.push(index);
      groups.set(key, group);
    }
  });
  return [...groups].map(([key, group]) => {
    const [incomingRoad = '', outgoingRoad = ''] = key.split('>');
    const alwaysGreen = greenPhases.every((state) => group.links.every((index) => isGreen(state[index])));
    return {
      movement: {
        id: key,
        incomingLanes: [...group.incoming],
        outgoingLanes: [...group.outgoing],
        rightTurn: alwaysGreen,
        incomingRoad,
        outgoingRoad,
      },
      linkIndices: group.links,
    };
  });
}

/**
 * Derives the controller's view of one traffic light from SUMO's program: movements are link
 * groups from one incoming edge to one outgoing edge; a movement green in every green phase is a
 * right turn (always allowed); candidate phases are the first `phaseLimit` green phases of the
 * program that serve some other movement. The yellow after a green is the program's next phase when
 * it is not a green, else the green with its non-right-turn greens set to `y` and the rest to `r`.
 */
export function describeIntersection(
  light: TrafficLightDescription,
  phaseLimit: number,
): { layout: Omit<IntersectionLayout, 'neighbourIds'>; plan: SignalPlan } {
  const states = light.program.phases.map((phase) => phase.state);
  const greenPhases = states.filter((state) => [...state].some(isGreen));
  const movements = groupMovements(light, greenPhases);
  const rightTurnLinks = new Set(movements.filter((m) => m.movement.rightTurn).flatMap((m) => m.linkIndices));
  const servesTraffic = (state: string): boolean =>
    [...state].some((signal, index) => isGreen(signal) && !rightTurnLinks.has(index));
  const phases: Phase[] = [];
  const greenStates = new Map<number, string>();
  const yellowStates = new Map<number, string>();
  states.forEach((state, index) => {
    if (phases.length >= phaseLimit || !servesTraffic(state)) return;
    phases.push({
      index,
      movementIds: movements
        .filter((m) => m.linkIndices.some((link) => isGreen(state[link])))
        .map((m) => m.movement.id),
    });
    greenStates.set(index, state);
    const following = states[(index + 1) % states.length];
    const built = [...state]
      .map((signal, link) => (rightTurnLinks.has(link) ? signal : isGreen(signal) ? 'y' : 'r'))
      .join('');
    yellowStates.set(index, following !== undefined && !servesTraffic(following) ? following : built);
  });
  if (phases.length === 0)
    throw new Error(`traffic light ${light.id}: its program has no green phase to choose`);
  return {
    layout: { id: light.id, movements: movements.map((m) => m.movement), phases },
    plan: { id: light.id, greenStates, yellowStates },
  };
}

/** Layouts and plans for all traffic lights; neighbours share a road (one's outgoing edge is the other's incoming). */
export function describeNetwork(
  lights: readonly TrafficLightDescription[],
  phaseLimit: number,
): { layouts: IntersectionLayout[]; plans: Map<string, SignalPlan> } {
  const described = lights.map((light) => describeIntersection(light, phaseLimit));
  const incomingEdges = new Map(
    described.map(({ layout }) => [layout.id, new Set(layout.movements.map((m) => m.incomingRoad))]),
  );
  const layouts = described.map(({ layout }) => {
    const outgoing = new Set(layout.movements.map((m) => m.outgoingRoad));
    const incoming = incomingEdges.get(layout.id) ?? new Set<string>();
    const neighbourIds = described
      .map((other) => other.layout)
      .filter((other) => other.id !== layout.id)
      .filter((other) => {
        const otherIncoming = incomingEdges.get(other.id) ?? new Set<string>();
        const otherOutgoing = other.movements.map((m) => m.outgoingRoad);
        return (
          [...outgoing].some((edge) => otherIncoming.has(edge)) ||
          otherOutgoing.some((edge) => incoming.has(edge))
        );
      })
      .map((other) => other.id);
    return { ...layout, neighbourIds };
  });
  return { layouts, plans: new Map(described.map(({ plan }) => [plan.id, plan])) };
}
