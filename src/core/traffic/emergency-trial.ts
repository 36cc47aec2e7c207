/**
 * Emergency-vehicle trial: the same scenario run twice with ambulances added
 * at given times on given routes, once with the plain controller and once
 * with emergency priority, reporting the ambulances' travel times and what
 * priority costs everyone else.
 */
import type { ControllerFactory, DecisionCadence } from './controller.ts';
import { withEmergencyPriority } from './controllers/priority.ts';
import { priorityRequests } from './emergency.ts';
import { Engine } from './engine.ts';
import { createSignalStates, runController } from './run.ts';
import type { FlowSpec, RoadnetSpec, VehicleSpec } from './scenario.ts';
import type { Vehicle } from './vehicle.ts';

export interface EmergencyTrip {
  readonly route: readonly string[];
  readonly departSeconds: number;
}

export interface EmergencyOutcome {
  /**
   * Per trip that departed before the end of the run, in departure order: seconds from departure
   * to leaving the network (unfinished: to the end of the run).
   */
  readonly emergencySeconds: number[];
  /** Ambulances that left the network before the end of the run. */
  readonly emergencyFinished: number;
  /** Seconds from departure to leaving the network, of the finished ambulances only. */
  readonly finishedSeconds: number[];
  /** CityFlow-measure average travel time of all other vehicles. */
  readonly othersAtt: number;
}

export interface EmergencyComparison {
  readonly without: EmergencyOutcome;
  readonly with: EmergencyOutcome;
  /** The same trips alone on an empty network with priority: the free-flow floor. */
  readonly freeFlow: EmergencyOutcome;
}

export interface TrialOptions {
  readonly steps: number;
  readonly seed: number;
  readonly cadence: DecisionCadence;
  readonly phaseCount: number;
  readonly horizonSeconds: number;
  readonly vehicle: VehicleSpec;
}

function runOnce(
  roadnet: RoadnetSpec,
  flows: readonly FlowSpec[],
  factory: ControllerFactory,
  trips: readonly EmergencyTrip[],
  priority: boolean,
  options: TrialOptions,
): EmergencyOutcome {
  const engine = new Engine(roadnet, flows, { seed: options.seed });
  const states = createSignalStates(engine, options.phaseCount);
  const controlled = new Set(states.map((s) => s.layout.id));
  const base = factory(
    states.map((s) => s.layout),
    options.cadence,
  );
  const controller = priority ? withEmergencyPriority(base) : base;
  const ambulances: Vehicle[] = [];
  const pending = [...trips].sort((a, b) => a.departSeconds - b.departSeconds);
  runController(engine, controller, {
    steps: options.steps,
    cadence: options.cadence,
    phaseCount: options.phaseCount,
    preempt: priority,
    beforeStep: (e) => {
      while (pending.length > 0 && pending[0]!.departSeconds <= e.timeSeconds) {
        ambulances.push(e.addVehicle(options.vehicle, pending.shift()!.route, 'emergency'));
      }
    },
    ...(priority ? { priority: () => priorityRequests(ambulances, controlled, options.horizonSeconds) } : {}),
  });
  const end = engine.timeSeconds;
  let others = 0;
  let count = 0;
  for (const v of engine.vehicles) {
    if (v.tag === 'emergency') continue;
    others += (v.finished ? v.exitSeconds : end) - v.enterSeconds;
    count++;
  }
  return {
    emergencySeconds: ambulances.map((a) => (a.finished ? a.exitSeconds : end) - a.enterSeconds),
    emergencyFinished: ambulances.filter((a) => a.finished).length,
    finishedSeconds: ambulances.filter((a) => a.finished).map((a) => a.exitSeconds - a.enterSeconds),
    othersAtt: count === 0 ? 0 : others / count,
  };
}

export function compareEmergencyPriority(
  roadnet: RoadnetSpec,
  flows: readonly FlowSpec[],
  factory: ControllerFactory,
  trips: readonly EmergencyTrip[],
  options: TrialOptions,
): EmergencyComparison {
  return {
    without: runOnce(roadnet, flows, factory, trips, false, options),
    with: runOnce(roadnet, flows, factory, trips, true, options),
    freeFlow: runOnce(roadnet, [], factory, trips, true, options),
  };
}

/**
 * Straight corridors through the network: from each road that starts at a
 * virtual (boundary) intersection, follow straight-ahead road links to the
 * boundary. Routes for emergency trials that do not depend on the flow file.
 */
export function straightCorridors(roadnet: RoadnetSpec): string[][] {
  const virtual = new Set(roadnet.intersections.filter((i) => i.virtual).map((i) => i.id));
  const straight = new Map<string, string>();
  for (const i of roadnet.intersections) {
    for (const link of i.roadLinks) {
      if (link.type === 'go_straight' && link.laneLinks.length > 0)
        straight.set(link.startRoad, link.endRoad);
    }
  }
  const corridors: string[][] = [];
  for (const road of roadnet.roads) {
    if (!virtual.has(road.startIntersection)) continue;
    const route = [road.id];
    let next = straight.get(road.id);
    while (next !== undefined && !route.includes(next)) {
      route.push(next);
      next = straight.get(next);
    }
    if (route.length >= 3) corridors.push(route);
  }
  return corridors;
}
