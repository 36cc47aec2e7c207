import { command, variable } from './constants.ts';
import { TraciConnection } from './connection.ts';
import type { ConnectOptions, TraciRequest } from './connection.ts';
import {
  decodeDouble,
  decodeInt,
  decodeString,
  decodeStringList,
  getRequest,
  setRequest,
  stepRequest,
  subscribeRequest,
} from './requests.ts';
import type { SubscriptionResult } from './requests.ts';
import { Writer } from './storage.ts';
import { decodeControlledLinks, decodeLogics } from './traffic-light-values.ts';
import type { ControlledLink, ProgramLogic } from './traffic-light-values.ts';

export interface TraciVersion {
  readonly apiVersion: number;
  readonly identifier: string;
}

/** Requests for batching: build several, send them in one message with `client.exchange`. */
export const trafficLightRequests = {
  idList: () => getRequest(command.getTrafficLight, variable.idList, '', decodeStringList),
  program: (id: string) => getRequest(command.getTrafficLight, variable.currentProgram, id, decodeString),
  phase: (id: string) => getRequest(command.getTrafficLight, variable.currentPhase, id, decodeInt),
  state: (id: string) => getRequest(command.getTrafficLight, variable.redYellowGreenState, id, decodeString),
  controlledLanes: (id: string) =>
    getRequest(command.getTrafficLight, variable.controlledLanes, id, decodeStringList),
  controlledLinks: (id: string) =>
    getRequest(command.getTrafficLight, variable.controlledLinks, id, decodeControlledLinks),
  logics: (id: string) => getRequest(command.getTrafficLight, variable.completeDefinition, id, decodeLogics),
  nextSwitch: (id: string) => getRequest(command.getTrafficLight, variable.nextSwitch, id, decodeDouble),
  setPhase: (id: string, index: number) =>
    setRequest(command.setTrafficLight, variable.phaseIndex, id, new Writer().typedInt(index)),
  setState: (id: string, state: string) =>
    setRequest(command.setTrafficLight, variable.redYellowGreenState, id, new Writer().typedString(state)),
  setProgram: (id: string, programId: string) =>
    setRequest(command.setTrafficLight, variable.program, id, new Writer().typedString(programId)),
  setPhaseDuration: (id: string, seconds: number) =>
    setRequest(command.setTrafficLight, variable.phaseDuration, id, new Writer().typedDouble(seconds)),
};

export const laneRequests = {
  idList: () => getRequest(command.getLane, variable.idList, '', decodeStringList),
  vehicleNumber: (id: string) => getRequest(command.getLane, variable.vehicleNumber, id, decodeInt),
  haltingNumber: (id: string) => getRequest(command.getLane, variable.haltingNumber, id, decodeInt),
  occupancy: (id: string) => getRequest(command.getLane, variable.occupancy, id, decodeDouble),
  meanSpeed: (id: string) => getRequest(command.getLane, variable.meanSpeed, id, decodeDouble),
  length: (id: string) => getRequest(command.getLane, variable.length, id, decodeDouble),
  vehicleIds: (id: string) => getRequest(command.getLane, variable.vehicleIds, id, decodeStringList),
};

export const vehicleRequests = {
  idList: () => getRequest(command.getVehicle, variable.idList, '', decodeStringList),
  speed: (id: string) => getRequest(command.getVehicle, variable.speed, id, decodeDouble),
  lanePosition: (id: string) => getRequest(command.getVehicle, variable.lanePosition, id, decodeDouble),
  laneId: (id: string) => getRequest(command.getVehicle, variable.laneId, id, decodeString),
  roadId: (id: string) => getRequest(command.getVehicle, variable.roadId, id, decodeString),
  waitingTime: (id: string) => getRequest(command.getVehicle, variable.waitingTime, id, decodeDouble),
};

export const simulationRequests = {
  timeSeconds: () => getRequest(command.getSimulation, variable.time, '', decodeDouble),
  minExpectedNumber: () => getRequest(command.getSimulation, variable.minExpectedVehicles, '', decodeInt),
  departedIds: () => getRequest(command.getSimulation, variable.departedIds, '', decodeStringList),
  arrivedIds: () => getRequest(command.getSimulation, variable.arrivedIds, '', decodeStringList),
  departedNumber: () => getRequest(command.getSimulation, variable.departedNumber, '', decodeInt),
  arrivedNumber: () => getRequest(command.getSimulation, variable.arrivedNumber, '', decodeInt),
};

/**
 * A TraCI client for one SUMO process. Every method is one round trip; `exchange` sends many
 * requests in one message (one round trip) and is the fast path for per-step polling.
 */
export class TraciClient {
  private constructor(private readonly connection: TraciConnection) {}

  static async connect(options: ConnectOptions): Promise<TraciClient> {
    return new TraciClient(await TraciConnection.connect(options));
  }

  exchange<T extends readonly TraciRequest<unknown>[]>(
    requests: T,
  ): Promise<{ [K in keyof T]: T[K] extends TraciRequest<infer R> ? R : never }> {
    return this.connection.exchange(requests);
  }

  private async one<T>(request: TraciRequest<T>): Promise<T> {
    const [result] = await this.connection.exchange([request] as const);
    return result;
  }

  getVersion(): Promise<TraciVersion> {
    return this.one({
      id: command.getVersion,
      content: Buffer.alloc(0),
      read(reader) {
        reader.commandLength();
        reader.ubyte();
        return { apiVersion: reader.int(), identifier: reader.string() };
      },
    });
  }

  /** Advances one step (or to `targetSeconds`); returns the subscription results of the new step. */
  simulationStep(targetSeconds = 0): Promise<SubscriptionResult[]> {
    return this.one(stepRequest(targetSeconds));
  }

  /** Variable subscription: the values arrive with every `simulationStep` answer. */
  subscribe(
    subscribeCommand: number,
    objectId: string,
    variableIds: readonly number[],
  ): Promise<SubscriptionResult | undefined> {
    return this.one(subscribeRequest(subscribeCommand, objectId, variableIds));
  }

  /** Ends the simulation (SUMO writes its outputs) and closes the socket. */
  async close(): Promise<void> {
    try {
      await this.one({ id: command.close, content: Buffer.alloc(0), read: () => undefined });
    } finally {
      this.connection.destroy();
    }
  }

  readonly trafficLight = {
    getIdList: () => this.one(trafficLightRequests.idList()),
    getProgram: (id: string) => this.one(trafficLightRequests.program(id)),
    getPhase: (id: string) => this.one(trafficLightRequests.phase(id)),
    getRedYellowGreenState: (id: string) => this.one(trafficLightRequests.state(id)),
    getControlledLanes: (id: string) => this.one(trafficLightRequests.controlledLanes(id)),
    getControlledLinks: (id: string): Promise<ControlledLink[][]> =>
      this.one(trafficLightRequests.controlledLinks(id)),
    getCompleteDefinition: (id: string): Promise<ProgramLogic[]> => this.one(trafficLightRequests.logics(id)),
    getNextSwitch: (id: string) => this.one(trafficLightRequests.nextSwitch(id)),
    setPhase: (id: string, index: number) => this.one(trafficLightRequests.setPhase(id, index)),
    setRedYellowGreenState: (id: string, state: string) => this.one(trafficLightRequests.setState(id, state)),
    setProgram: (id: string, programId: string) => this.one(trafficLightRequests.setProgram(id, programId)),
    setPhaseDuration: (id: string, seconds: number) =>
      this.one(trafficLightRequests.setPhaseDuration(id, seconds)),
  };

  readonly lane = {
    getIdList: () => this.one(laneRequests.idList()),
    getLastStepVehicleNumber: (id: string) => this.one(laneRequests.vehicleNumber(id)),
    getLastStepHaltingNumber: (id: string) => this.one(laneRequests.haltingNumber(id)),
    getLastStepOccupancy: (id: string) => this.one(laneRequests.occupancy(id)),
    getLength: (id: string) => this.one(laneRequests.length(id)),
    getLastStepVehicleIds: (id: string) => this.one(laneRequests.vehicleIds(id)),
  };

  readonly vehicle = {
    getIdList: () => this.one(vehicleRequests.idList()),
    getSpeed: (id: string) => this.one(vehicleRequests.speed(id)),
    getLanePosition: (id: string) => this.one(vehicleRequests.lanePosition(id)),
    getLaneId: (id: string) => this.one(vehicleRequests.laneId(id)),
  };

  readonly simulation = {
    getTime: () => this.one(simulationRequests.timeSeconds()),
    getMinExpectedNumber: () => this.one(simulationRequests.minExpectedNumber()),
    getDepartedIds: () => this.one(simulationRequests.departedIds()),
    getArrivedIds: () => this.one(simulationRequests.arrivedIds()),
  };
}
