/**
 * What each light phase of an intersection lets go, as a map reader says it: per movement the
 * side it comes from and its turn. The position of a green among the offered greens means
 * nothing to someone looking at the district (in the generated one 0 is east–west straight, in
 * another roadnet anything), so the traffic view shows these instead. Movements green in every
 * phase (right turns in the benchmark layouts) are left out: they tell no phase apart.
 */
import type { IntersectionSpec, RoadLinkType, RoadSpec } from '../../core/traffic/scenario.ts';

export type Side = 'north' | 'east' | 'south' | 'west';
export type Turn = 'left' | 'straight' | 'right';

export interface Movement {
  /** The side of the intersection the vehicles come from. */
  from: Side;
  turn: Turn;
}

const turns: Record<RoadLinkType, Turn> = {
  turn_left: 'left',
  go_straight: 'straight',
  turn_right: 'right',
};

/** The side a road enters its end intersection from, by its last segment (x east, y north). */
function sideOf(road: RoadSpec): Side | undefined {
  const end = road.points[road.points.length - 1];
  const before = road.points[road.points.length - 2];
  if (end === undefined || before === undefined) return undefined;
  const dx = end.x - before.x;
  const dy = end.y - before.y;
  if (Math.abs(dx) >= Math.abs(dy)) return dx >= 0 ? 'west' : 'east';
  return dy >= 0 ? 'south' : 'north';
}

/** Per light phase of `intersection` (by index), the movements it gives green to. */
export function lightPhaseMovements(
  intersection: IntersectionSpec,
  roads: ReadonlyMap<string, RoadSpec>,
): Movement[][] {
  const phases = intersection.lightPhases;
  const always = new Set(
    phases[0]?.availableRoadLinks.filter((link) =>
      phases.every((phase) => phase.availableRoadLinks.includes(link)),
    ) ?? [],
  );
  return phases.map((phase) => {
    const movements = new Map<string, Movement>();
    for (const index of phase.availableRoadLinks) {
      const link = intersection.roadLinks[index];
      const road = link === undefined || always.has(index) ? undefined : roads.get(link.startRoad);
      const from = road === undefined ? undefined : sideOf(road);
      if (link === undefined || from === undefined) continue;
      movements.set(`${from} ${link.type}`, { from, turn: turns[link.type] });
    }
    return [...movements.values()];
  });
}
