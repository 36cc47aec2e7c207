import type { DecisionCadence, SignalController } from '../../core/traffic/controller.ts';
import { trafficLightRequests } from './client.ts';
import type { TraciClient } from './client.ts';
import { command, variable } from './constants.ts';
import type { NetworkView } from './network-view.ts';
import { observeNetwork } from './observe.ts';
import type { LaneCounts } from './observe.ts';
import { subscribeRequest } from './requests.ts';
import type { SubscriptionResult } from './requests.ts';
import { SignalDriver } from './signal-driver.ts';
import type { YellowScope } from './signal-driver.ts';

export interface DriveOptions {
  readonly steps: number;
  readonly cadence: DecisionCadence;
  readonly yellowScope: YellowScope;
  /** Our controller; absent when SUMO's own program runs the lights. */
  readonly controller?: SignalController;
  readonly onProgress?: (timeSeconds: number) => void;
}

export interface DriveFigures {
  /** Sum over steps and intersections of halting vehicles on incoming lanes. */
  readonly queueVehicleSteps: number;
  readonly loopSeconds: number;
}

function updateCounts(counts: Map<string, LaneCounts>, results: readonly SubscriptionResult[]): void {
  for (const result of results) {
    const entry = counts.get(result.objectId);
    if (!entry) continue;
    entry.vehicles = Number(result.values.get(variable.vehicleNumber) ?? 0);
    entry.halting = Number(result.values.get(variable.haltingNumber) ?? 0);
  }
}

async function setStates(
  client: TraciClient,
  commands: readonly { id: string; state: string }[],
): Promise<void> {
  if (commands.length > 0) {
    await client.exchange(commands.map(({ id, state }) => trafficLightRequests.setState(id, state)));
  }
}

/**
 * The detection zone observations use: the controller's own when it names one, as the
 * CityFlow-faithful engine does (`run.ts`), else the cadence's.
 */
export function detectionZoneMetres(
  controller: Pick<SignalController, 'detectionMetres'> | undefined,
  cadence: DecisionCadence,
): number {
  return controller?.detectionMetres ?? cadence.approachMetres;
}

/**
 * Steps SUMO `steps` times (1 s each). Lane counts arrive by subscription with every step; when a
 * controller is given, it decides at its cadence and the driver shows its phases (yellow first).
 */
export async function driveSimulation(
  client: TraciClient,
  network: NetworkView,
  options: DriveOptions,
): Promise<DriveFigures> {
  const lanes = [...network.laneLengths.keys()];
  const counts = new Map(lanes.map((lane) => [lane, { vehicles: 0, halting: 0 }]));
  await client.exchange(
    lanes.map((lane) =>
      subscribeRequest(command.subscribeLane, lane, [variable.vehicleNumber, variable.haltingNumber]),
    ),
  );
  const incoming = network.layouts.map((layout) => [
    ...new Set(layout.movements.flatMap((m) => m.incomingLanes)),
  ]);
  const { controller, cadence } = options;
  const driver = controller
    ? new SignalDriver(network.layouts, network.plans, { ...cadence, yellowScope: options.yellowScope })
    : undefined;
  if (driver) await setStates(client, driver.initialCommands());
  const approachMetres = detectionZoneMetres(controller, cadence);
  let queueVehicleSteps = 0;
  const started = performance.now();
  for (let time = 0; time < options.steps; time += 1) {
    if (driver && controller) {
      const due = driver.due(time);
      let decisions = new Map();
      if (due.length > 0) {
        const observation = await observeNetwork(
          client,
          network.layouts,
          counts,
          network.laneLengths,
          driver.clocks,
          time,
          approachMetres,
        );
        decisions = controller.decide(observation, due);
      }
      await setStates(client, driver.advance(time, due, decisions));
    }
    updateCounts(counts, await client.simulationStep());
    for (const group of incoming)
      for (const lane of group) queueVehicleSteps += counts.get(lane)?.halting ?? 0;
    options.onProgress?.(time + 1);
  }
  return { queueVehicleSteps, loopSeconds: (performance.now() - started) / 1000 };
}
