import type {
  IntersectionLayout,
  IntersectionObservation,
  LaneState,
  NetworkObservation,
} from '../../core/traffic/controller.ts';
import { laneRequests, vehicleRequests } from './client.ts';
import type { TraciClient } from './client.ts';

/** Per-lane counts SUMO reports each step (from the lane subscriptions). */
export interface LaneCounts {
  vehicles: number;
  halting: number;
}

/** Signal timing of one intersection as the runner keeps it. */
export interface SignalClock {
  readonly currentPhase: number;
  readonly phaseStartSeconds: number;
}

/** Vehicles within `approachMetres` of each lane's end, split into all and moving (speed >= 0.1 m/s). */
async function approachCounts(
  client: TraciClient,
  lanes: readonly string[],
  laneLengths: ReadonlyMap<string, number>,
  approachMetres: number,
): Promise<Map<string, { near: number; approaching: number }>> {
  const vehicleLists = await client.exchange(lanes.map((lane) => laneRequests.vehicleIds(lane)));
  const owners: { lane: string; vehicle: string }[] = [];
  lanes.forEach((lane, index) => {
    for (const vehicle of vehicleLists[index] ?? []) owners.push({ lane, vehicle });
  });
  const values = await client.exchange(
    owners.flatMap(({ vehicle }) => [vehicleRequests.lanePosition(vehicle), vehicleRequests.speed(vehicle)]),
  );
  const counts = new Map(lanes.map((lane) => [lane, { near: 0, approaching: 0 }]));
  owners.forEach(({ lane }, index) => {
    const position = values[2 * index] ?? 0;
    const speed = values[2 * index + 1] ?? 0;
    const count = counts.get(lane);
    if (!count || (laneLengths.get(lane) ?? 0) - position > approachMetres) return;
    count.near += 1;
    if (speed >= 0.1) count.approaching += 1;
  });
  return counts;
}

/** Builds the controllers' view of every intersection at `timeSeconds`. */
export async function observeNetwork(
  client: TraciClient,
  layouts: readonly IntersectionLayout[],
  counts: ReadonlyMap<string, LaneCounts>,
  laneLengths: ReadonlyMap<string, number>,
  clocks: ReadonlyMap<string, SignalClock>,
  timeSeconds: number,
  approachMetres: number,
): Promise<NetworkObservation> {
  const lanes = [...laneLengths.keys()].filter((lane) => (counts.get(lane)?.vehicles ?? 0) > 0);
  const near = await approachCounts(client, lanes, laneLengths, approachMetres);
  const laneState = (lane: string): LaneState => ({
    vehicles: counts.get(lane)?.vehicles ?? 0,
    waitingVehicles: counts.get(lane)?.halting ?? 0,
    approachingVehicles: near.get(lane)?.approaching ?? 0,
    nearVehicles: near.get(lane)?.near ?? 0,
    lengthMetres: laneLengths.get(lane) ?? 0,
    approachMetres,
  });
  const intersections = new Map<string, IntersectionObservation>();
  for (const layout of layouts) {
    const clock = clocks.get(layout.id);
    if (!clock) throw new Error(`no signal clock for intersection ${layout.id}`);
    const laneIds = new Set(layout.movements.flatMap((m) => [...m.incomingLanes, ...m.outgoingLanes]));
    intersections.set(layout.id, {
      layout,
      lanes: new Map([...laneIds].map((lane) => [lane, laneState(lane)])),
      currentPhase: clock.currentPhase,
      secondsInPhase: timeSeconds - clock.phaseStartSeconds,
      timeSeconds,
    });
  }
  return { intersections, timeSeconds };
}
