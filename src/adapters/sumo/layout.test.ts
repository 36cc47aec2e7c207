import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeIntersection, describeNetwork, edgeOfLane } from './layout.ts';
import type { TrafficLightDescription } from './layout.ts';

/** Links: 0 = W->S right turn, 1 = W->E straight, 2 = N->S straight. */
function light(id: string, states: string[], west = 'w_in', east = 'e_out'): TrafficLightDescription {
  return {
    id,
    links: [
      [{ fromLane: `${west}_0`, toLane: 's_out_0', viaLane: ':x_0' }],
      [{ fromLane: `${west}_1`, toLane: `${east}_0`, viaLane: ':x_1' }],
      [{ fromLane: 'n_in_0', toLane: 's_out_0', viaLane: ':x_2' }],
    ],
    program: {
      programId: '0',
      type: 0,
      currentPhaseIndex: 0,
      parameters: new Map(),
      phases: states.map((state) => ({
        durationSeconds: 30,
        state,
        minDurationSeconds: 30,
        maxDurationSeconds: 30,
        next: [],
        name: '',
      })),
    },
  };
}

void test('strips the lane index to get the edge', () => {
  assert.equal(edgeOfLane('road_1_1_0_2'), 'road_1_1_0');
});

void test('marks a movement green in every green phase as a right turn and offers the other greens as phases', () => {
  const { layout, plan } = describeIntersection(light('j', ['GGr', 'sss', 'GrG', 'srr']), 4);
  const rightTurn = layout.movements.filter((m) => m.rightTurn).map((m) => m.id);
  assert.deepEqual(rightTurn, ['w_in>s_out']);
  assert.deepEqual(
    layout.phases.map((p) => p.index),
    [0, 2],
  );
  assert.deepEqual(layout.phases[0]?.movementIds, ['w_in>s_out', 'w_in>e_out']);
  assert.equal(plan.yellowStates.get(0), 'sss', "the program's own yellow follows phase 0");
  assert.equal(plan.yellowStates.get(2), 'srr');
});

void test('builds a yellow when the program has none after a green, and honours the phase limit', () => {
  const { layout, plan } = describeIntersection(light('j', ['GGr', 'GrG']), 1);
  assert.deepEqual(
    layout.phases.map((p) => p.index),
    [0],
  );
  assert.equal(plan.yellowStates.get(0), 'Gyr');
});

void test('finds neighbours that share a road', () => {
  const a = light('a', ['GGr', 'GrG'], 'w_in', 'mid');
  const b = light('b', ['GGr', 'GrG'], 'mid', 'far');
  const c = light('c', ['GGr', 'GrG'], 'x_in', 'x_out');
  const { layouts } = describeNetwork([a, b, c], 4);
  assert.deepEqual(
    layouts.map((l) => [l.id, l.neighbourIds]),
    [
      ['a', ['b']],
      ['b', ['a']],
      ['c', []],
    ],
  );
});
