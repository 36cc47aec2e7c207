import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  IntersectionLayout,
  IntersectionObservation,
  LaneState,
  NetworkObservation,
} from '../controller.ts';
import { defaultCadence } from '../controller.ts';
import { createActuatedPressure, defaultActuated } from './actuated-pressure.ts';
import { createFixedTime } from './fixed-time.ts';
import { createMaxPressure } from './max-pressure.ts';
import { withEmergencyPriority } from './priority.ts';

const layout: IntersectionLayout = {
  id: 'i',
  movements: [
    {
      id: 'we',
      incomingLanes: ['a'],
      outgoingLanes: ['x'],
      rightTurn: false,
      incomingRoad: 'A',
      outgoingRoad: 'X',
    },
    {
      id: 'sn',
      incomingLanes: ['b'],
      outgoingLanes: ['y'],
      rightTurn: false,
      incomingRoad: 'B',
      outgoingRoad: 'Y',
    },
    {
      id: 'r',
      incomingLanes: ['c'],
      outgoingLanes: ['x'],
      rightTurn: true,
      incomingRoad: 'C',
      outgoingRoad: 'X',
    },
  ],
  phases: [
    { index: 1, movementIds: ['we', 'r'] },
    { index: 2, movementIds: ['sn', 'r'] },
  ],
  neighbourIds: [],
};

function lane(waiting: number, extra: Partial<LaneState> = {}): LaneState {
  return {
    vehicles: waiting,
    waitingVehicles: waiting,
    approachingVehicles: 0,
    nearVehicles: waiting,
    lengthMetres: 300,
    approachMetres: 100,
    ...extra,
  };
}

function network(
  lanes: Record<string, LaneState>,
  currentPhase = 1,
  secondsInPhase = 10,
): NetworkObservation {
  const observation: IntersectionObservation = {
    layout,
    lanes: new Map(Object.entries(lanes)),
    currentPhase,
    secondsInPhase,
    timeSeconds: 100,
  };
  return { intersections: new Map([['i', observation]]), timeSeconds: 100 };
}

const empty = { a: lane(0), b: lane(0), c: lane(0), x: lane(0), y: lane(0) };

test('MaxPressure chooses the phase whose queues exceed their downstream queues most', () => {
  const decisions = createMaxPressure().decide(network({ ...empty, a: lane(3), b: lane(6), y: lane(2) }), [
    'i',
  ]);
  assert.equal(decisions.get('i')?.phase, 2);
  const blocked = createMaxPressure().decide(network({ ...empty, a: lane(3), b: lane(6), y: lane(5) }), [
    'i',
  ]);
  assert.equal(blocked.get('i')?.phase, 1);
});

test('MaxPressure ignores right turns, which are always green', () => {
  const decisions = createMaxPressure().decide(network({ ...empty, a: lane(1), b: lane(2), c: lane(50) }), [
    'i',
  ]);
  assert.equal(decisions.get('i')?.phase, 2);
});

test('FixedTime cycles through the phases holding each for green plus yellow', () => {
  const controller = createFixedTime([layout], defaultCadence, 30);
  const phases: number[] = [];
  for (let k = 0; k < 3; k++) {
    const d = controller.decide(network(empty), ['i']).get('i')!;
    phases.push(d.phase);
    assert.equal(d.nextDecisionSeconds, 35);
  }
  assert.deepEqual(phases, [1, 2, 1]);
});

test('actuated pressure extends a green that still discharges and sizes a new green to its queue', () => {
  const controller = createActuatedPressure(defaultActuated);
  const keep = controller
    .decide(network({ ...empty, a: lane(1, { approachingVehicles: 4 }), b: lane(3) }, 1), ['i'])
    .get('i')!;
  assert.deepEqual(keep, { phase: 1, nextDecisionSeconds: defaultActuated.extendSeconds });
  const change = controller.decide(network({ ...empty, a: lane(0), b: lane(9) }, 1), ['i']).get('i')!;
  assert.equal(change.phase, 2);
  assert.equal(
    change.nextDecisionSeconds,
    defaultActuated.yellowSeconds + 9 * defaultActuated.dischargeSecondsPerVehicle,
  );
});

test('emergency priority gives green to the requested movement and otherwise defers to the controller', () => {
  const controller = withEmergencyPriority(createMaxPressure());
  const lanes = { ...empty, a: lane(8), b: lane(1) };
  const plain = controller.decide(network(lanes, 1), ['i'], new Map());
  assert.equal(plain.get('i')?.phase, 1);
  const request = new Map([['i', { movementId: 'sn', etaSeconds: 12 }]]);
  const priority = controller.decide(network(lanes, 1), ['i'], request).get('i')!;
  assert.equal(priority.phase, 2);
  assert.ok((priority.nextDecisionSeconds ?? 99) <= 5);
});

test('actuated pressure weighs moving vehicles more on the current green, which a switch would stop', () => {
  const controller = createActuatedPressure({ ...defaultActuated, runningWeight: 2, otherRunningWeight: 1 });
  // Current phase 1: 3 moving (value 6 + keep credit); phase 2: 5 moving (value 5).
  const keep = controller
    .decide(
      network(
        { ...empty, a: lane(0, { approachingVehicles: 3 }), b: lane(0, { approachingVehicles: 5 }) },
        1,
      ),
      ['i'],
    )
    .get('i')!;
  assert.equal(keep.phase, 1);
  // The same counts with phase 2 current: it keeps phase 2 (10 + credit against 3).
  const other = controller
    .decide(
      network(
        { ...empty, a: lane(0, { approachingVehicles: 3 }), b: lane(0, { approachingVehicles: 5 }) },
        2,
      ),
      ['i'],
    )
    .get('i')!;
  assert.equal(other.phase, 2);
});
