import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IntersectionLayout } from '../../core/traffic/controller.ts';
import { endingYellow, SignalDriver } from './signal-driver.ts';

const layout: IntersectionLayout = {
  id: 'j',
  movements: [],
  phases: [
    { index: 0, movementIds: [] },
    { index: 2, movementIds: [] },
  ],
  neighbourIds: [],
};
const plan = {
  id: 'j',
  greenStates: new Map([
    [0, 'GGr'],
    [2, 'GrG'],
  ]),
  yellowStates: new Map([
    [0, 'Gyr'],
    [2, 'Gry'],
  ]),
};

void test('shows yellow for the yellow time before a changed phase, then its green, and keeps the cadence', () => {
  const driver = new SignalDriver([layout], new Map([['j', plan]]), {
    decisionSeconds: 15,
    yellowSeconds: 5,
  });
  assert.deepEqual(driver.initialCommands(), [{ id: 'j', state: 'GGr' }]);
  assert.deepEqual(driver.due(0), ['j']);
  assert.deepEqual(driver.advance(0, ['j'], new Map([['j', { phase: 2 }]])), [{ id: 'j', state: 'Gyr' }]);
  for (let time = 1; time < 5; time += 1)
    assert.deepEqual(driver.advance(time, driver.due(time), new Map()), []);
  assert.deepEqual(driver.advance(5, [], new Map()), [{ id: 'j', state: 'GrG' }]);
  assert.equal(driver.clocks.get('j')?.currentPhase, 2);
  assert.deepEqual(driver.due(14), []);
  assert.deepEqual(driver.due(15), ['j']);
  assert.deepEqual(
    driver.advance(15, ['j'], new Map([['j', { phase: 2 }]])),
    [],
    'a kept phase needs no yellow',
  );
});

void test('rejects a decision for a phase the intersection does not have', () => {
  const driver = new SignalDriver([layout], new Map([['j', plan]]), {
    decisionSeconds: 15,
    yellowSeconds: 5,
  });
  assert.throws(() => driver.advance(0, ['j'], new Map([['j', { phase: 1 }]])), /not one of its phases/);
});

void test('with the ending yellow scope, only links that lose green turn yellow, and a change that ends none skips yellow', () => {
  assert.equal(endingYellow('GGGr', 'GrGG'), 'GyGr');
  const driver = new SignalDriver(
    [layout],
    new Map([
      [
        'j',
        {
          ...plan,
          greenStates: new Map([
            [0, 'GGr'],
            [2, 'GGG'],
          ]),
        },
      ],
    ]),
    { decisionSeconds: 15, yellowSeconds: 5, yellowScope: 'ending' },
  );
  assert.deepEqual(driver.advance(0, ['j'], new Map([['j', { phase: 2 }]])), [{ id: 'j', state: 'GGG' }]);
  assert.deepEqual(driver.advance(15, ['j'], new Map([['j', { phase: 0 }]])), [{ id: 'j', state: 'GGy' }]);
  assert.deepEqual(driver.advance(20, [], new Map()), [{ id: 'j', state: 'GGr' }]);
});
