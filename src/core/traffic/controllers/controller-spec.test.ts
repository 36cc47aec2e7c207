import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultCadence } from '../controller.ts';
import { defaultActuated } from './actuated-pressure.ts';
import { parseControllerSpec } from './controller-spec.ts';
import { controllerFactories } from './registry.ts';

test('a controller spec overrides the named settings and keeps the other defaults', () => {
  const spec = parseControllerSpec('actuated-pressure:dischargeSecondsPerVehicle=3.5;minGreenSeconds=8');
  assert.ok(spec.ok);
  assert.equal(spec.settings.dischargeSecondsPerVehicle, 3.5);
  assert.equal(spec.settings.minGreenSeconds, 8);
  assert.equal(spec.settings.runningWeight, defaultActuated.runningWeight);
});

test('a controller spec with an unknown key, a bad number or another controller is rejected with a reason', () => {
  for (const [text, fragment] of [
    ['actuated-pressure:greenish=3', "'greenish=3' must be KEY=NUMBER"],
    ['actuated-pressure:minGreenSeconds=-1', "minGreenSeconds must be a number >= 0, got '-1'"],
    ['actuated-pressure:minGreenSeconds=', "minGreenSeconds must be a number >= 0, got ''"],
    ['maxpressure:minGreenSeconds=3', "controller 'maxpressure' takes no settings"],
  ] as const) {
    const spec = parseControllerSpec(text);
    assert.equal(spec.ok, false, text);
    if (!spec.ok) assert.ok(spec.reason.includes(fragment), spec.reason);
  }
});

test('a controller spec is refused when a setting would be lost: min green above max, a key twice, an exponent', () => {
  // Regression: min 50 above max 10 was accepted and min ignored, a repeated key took the last
  // value, and 1e1 was read as 10 while the command line refuses '--steps 1e3'.
  for (const [text, fragment] of [
    [
      'actuated-pressure:minGreenSeconds=50;maxGreenSeconds=10',
      'minGreenSeconds (50) must not exceed maxGreenSeconds (10)',
    ],
    ['actuated-pressure:minGreenSeconds=50', 'minGreenSeconds (50) must not exceed maxGreenSeconds (30)'],
    ['actuated-pressure:minGreenSeconds=3;minGreenSeconds=8', 'minGreenSeconds is given twice'],
    [
      'actuated-pressure:minGreenSeconds=1e1',
      "minGreenSeconds must be a number >= 0, got '1e1' (plain decimals only, e.g. 8 or 3.5)",
    ],
    ['actuated-pressure:minGreenSeconds= 8', "got ' 8'"],
    ['actuated-pressure:minGreenSeconds=0x8', "got '0x8'"],
  ] as const) {
    const spec = parseControllerSpec(text);
    assert.equal(spec.ok, false, text);
    if (!spec.ok) assert.ok(spec.reason.includes(fragment), spec.reason);
  }
  const equal = parseControllerSpec('actuated-pressure:minGreenSeconds=10;maxGreenSeconds=10;keepBonus=0.25');
  assert.ok(equal.ok);
  assert.equal(equal.settings.keepBonus, 0.25);
});

test('the registry resolves a spec with settings but lists plain names only', () => {
  const factory = controllerFactories.get('actuated-pressure:maxGreenSeconds=20');
  assert.ok(factory !== undefined);
  assert.equal(factory([], defaultCadence).settings?.max_green_seconds, 20);
  assert.equal(controllerFactories.has('actuated-pressure:nonsense=1'), false);
  assert.ok(![...controllerFactories.keys()].some((name) => name.includes(':')));
});
