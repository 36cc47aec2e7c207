/**
 * TraCI protocol identifiers used by this client (values from SUMO's
 * TraCIConstants.h, API version 20 as served by SUMO 1.15).
 */

export const command = {
  getVersion: 0x00,
  simulationStep: 0x02,
  close: 0x7f,
  getTrafficLight: 0xa2,
  setTrafficLight: 0xc2,
  subscribeTrafficLight: 0xd2,
  getLane: 0xa3,
  subscribeLane: 0xd3,
  getVehicle: 0xa4,
  subscribeVehicle: 0xd4,
  getSimulation: 0xab,
  subscribeSimulation: 0xdb,
} as const;

/** A get response carries the get command id plus this offset; a subscription response likewise. */
export const responseOffset = 0x10;

export const valueType = {
  ubyte: 0x07,
  byte: 0x08,
  integer: 0x09,
  double: 0x0b,
  string: 0x0c,
  stringList: 0x0e,
  compound: 0x0f,
  doubleList: 0x10,
  position2d: 0x01,
  color: 0x11,
} as const;

export const status = { ok: 0x00, notImplemented: 0x01, error: 0xff } as const;

export const variable = {
  idList: 0x00,
  idCount: 0x01,
  // lane
  vehicleNumber: 0x10,
  meanSpeed: 0x11,
  vehicleIds: 0x12,
  occupancy: 0x13,
  haltingNumber: 0x14,
  length: 0x44,
  // traffic light
  redYellowGreenState: 0x20,
  phaseIndex: 0x22,
  program: 0x23,
  phaseDuration: 0x24,
  controlledLanes: 0x26,
  controlledLinks: 0x27,
  currentPhase: 0x28,
  currentProgram: 0x29,
  completeDefinition: 0x2b,
  completeProgram: 0x2c,
  nextSwitch: 0x2d,
  // vehicle
  speed: 0x40,
  roadId: 0x50,
  laneId: 0x51,
  lanePosition: 0x56,
  waitingTime: 0x7a,
  accumulatedWaitingTime: 0x87,
  // simulation
  time: 0x66,
  departedNumber: 0x73,
  departedIds: 0x74,
  arrivedNumber: 0x79,
  arrivedIds: 0x7a,
  minExpectedVehicles: 0x7d,
} as const;

/** Traffic-light logic types as TraCI reports them. */
export const trafficLightType = { static: 0, actuated: 3, delayBased: 4 } as const;
