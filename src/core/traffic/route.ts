/**
 * Lane-level route planning (CityFlow's router): the first lane is drawn at
 * random among the lanes of the first road that lead to the second road; at
 * each intersection the lane link whose end lane leads on to the road after
 * next and is closest in lane index is taken.
 */
import type { Drivable, Lane, LaneLink, Road } from './network.ts';

function linksTo(lane: Lane, road: Road): LaneLink[] {
  return lane.laneLinks.filter((l) => l.endLane.road === road);
}

function closest(current: Lane, links: readonly LaneLink[]): LaneLink | undefined {
  let best: LaneLink | undefined;
  let bestDiff = Infinity;
  for (const link of links) {
    const diff = Math.abs(link.endLane.laneIndex - current.laneIndex);
    if (diff < bestDiff) {
      bestDiff = diff;
      best = link;
    }
  }
  return best;
}

/** Candidate first lanes of a route (never empty for a validated route). */
export function firstLanes(route: readonly Road[]): Lane[] {
  const first = route[0]!;
  const second = route[1];
  if (second === undefined) return first.lanes;
  const lanes = first.lanes.filter((l) => linksTo(l, second).length > 0);
  return lanes.length > 0 ? lanes : first.lanes;
}

/** The drivables (lane, link, lane, ...) a vehicle starting on `first` follows along `route`. */
export function planPath(first: Lane, route: readonly Road[]): Drivable[] {
  const path: Drivable[] = [first];
  let current = first;
  for (let r = 0; r + 1 < route.length; r++) {
    const links = linksTo(current, route[r + 1]!);
    const afterNext = route[r + 2];
    const onward =
      afterNext === undefined ? links : links.filter((l) => linksTo(l.endLane, afterNext).length > 0);
    const link = closest(current, onward.length > 0 ? onward : links);
    if (link === undefined) break;
    path.push(link, link.endLane);
    current = link.endLane;
  }
  return path;
}
