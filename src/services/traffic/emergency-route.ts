/**
 * The way an emergency vehicle takes from one intersection to another: it
 * sets off on a road leaving `from` and drives through `to` onto the road
 * after it, so every signal from the first one after `from` up to `to` can
 * clear its way. Shortest by length, a turn counting as `turnMetres` more
 * (a straight run is preferred among equals). Roads and intersections are
 * the engine's ids.
 */
import type { Network, Road } from '../../core/traffic/network.ts';

export type EmergencyRoute =
  | {
      ok: true;
      /** Road ids, the first leaving `from`, the last leaving `to`. */
      roads: string[];
      /** Intersection ids on the way: `from`, every one crossed, `to` last. */
      intersections: string[];
    }
  | { ok: false };

const turnMetres = 100;

function lengthOf(road: Road): number {
  return road.lanes[0]?.lengthMetres ?? 0;
}

/** Dijkstra over roads (a few hundred in a district: a linear scan for the next one is enough). */
export function planEmergencyRoute(network: Network, from: string, to: string): EmergencyRoute {
  const roads = network.roads;
  const distance = new Float64Array(roads.length).fill(Infinity);
  const previous = new Int32Array(roads.length).fill(-1);
  const settled = new Uint8Array(roads.length);
  for (const road of roads) if (road.start.id === from) distance[road.index] = lengthOf(road);
  for (;;) {
    let best = -1;
    for (let i = 0; i < roads.length; i++)
      if (settled[i] === 0 && distance[i]! < Infinity && (best < 0 || distance[i]! < distance[best]!))
        best = i;
    if (best < 0) return { ok: false };
    settled[best] = 1;
    const road = roads[best]!;
    if (road.start.id === to && previous[best] !== -1) return routeTo(network, previous, best, from);
    if (road.end.virtual) continue;
    for (const link of road.end.roadLinks) {
      if (link.startRoad !== road || link.laneLinks.length === 0) continue;
      const next = link.endRoad.index;
      const cost = distance[best]! + lengthOf(link.endRoad) + (link.turn ? turnMetres : 0);
      if (cost < distance[next]!) {
        distance[next] = cost;
        previous[next] = best;
      }
    }
  }
}

function routeTo(network: Network, previous: Int32Array, last: number, from: string): EmergencyRoute {
  const indices: number[] = [];
  for (let i = last; i !== -1; i = previous[i]!) indices.unshift(i);
  const roads = indices.map((i) => network.roads[i]!);
  return {
    ok: true,
    roads: roads.map((r) => r.id),
    intersections: [from, ...roads.slice(1).map((r) => r.start.id)],
  };
}
