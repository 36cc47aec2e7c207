import type { IntersectionLayout } from '../../core/traffic/controller.ts';
import { laneRequests, trafficLightRequests } from './client.ts';
import type { TraciClient } from './client.ts';
import { describeNetwork } from './layout.ts';
import type { SignalPlan } from './layout.ts';

/** The controllers' static view of a SUMO network and how to show their phases. */
export interface NetworkView {
  readonly layouts: IntersectionLayout[];
  readonly plans: Map<string, SignalPlan>;
  /** Every lane named by a movement (incoming and outgoing) -> its length in metres. */
  readonly laneLengths: Map<string, number>;
}

/** Reads traffic lights (links, active program) and lane lengths from SUMO, a few batched round trips. */
export async function readNetworkView(client: TraciClient, phaseLimit: number): Promise<NetworkView> {
  const ids = await client.trafficLight.getIdList();
  const links = await client.exchange(ids.map((id) => trafficLightRequests.controlledLinks(id)));
  const logics = await client.exchange(ids.map((id) => trafficLightRequests.logics(id)));
  const programIds = await client.exchange(ids.map((id) => trafficLightRequests.program(id)));
  const lights = ids.map((id, index) => {
    const programs = logics[index] ?? [];
    const program = programs.find((logic) => logic.programId === programIds[index]) ?? programs[0];
    if (!program) throw new Error(`traffic light ${id} has no program`);
    return { id, links: links[index] ?? [], program };
  });
  const { layouts, plans } = describeNetwork(lights, phaseLimit);
  const lanes = [
    ...new Set(
      layouts.flatMap((layout) => layout.movements.flatMap((m) => [...m.incomingLanes, ...m.outgoingLanes])),
    ),
  ];
  const lengths = await client.exchange(lanes.map((lane) => laneRequests.length(lane)));
  return { layouts, plans, laneLengths: new Map(lanes.map((lane, index) => [lane, lengths[index] ?? 0])) };
}
