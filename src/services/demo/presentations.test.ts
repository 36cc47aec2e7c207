import assert from 'node:assert/strict';
import { test } from 'node:test';
import { triage } from '../../core/triage/engine.ts';
import { parsePresentation } from '../../core/triage/presentation-input.ts';
import { levels, type Level } from '../../core/triage/presentation.ts';
import { shippedModel } from '../../core/triage/shipped-model.ts';
import { synthesisePresentation } from './presentations.ts';
import { seededRandom } from './random.ts';

const patientsPerAcuity = 500;

test('the same seed gives the same presentations, and every one passes the API validation', () => {
  const first = seededRandom(11);
  const second = seededRandom(11);
  for (const acuity of levels) {
    for (let count = 0; count < 100; count += 1) {
      const presentation = synthesisePresentation(acuity, 'walk', first);
      assert.deepEqual(synthesisePresentation(acuity, 'walk', second), presentation);
      const parsed = parsePresentation(presentation);
      assert.ok(parsed.ok, `acuity ${acuity}: ${JSON.stringify(parsed.ok ? null : parsed.errors)}`);
      assert.ok(presentation.diastolicMmHg! < presentation.systolicMmHg!);
    }
  }
});

test('the platform triage engine ranks synthetic level-1/2 patients clearly more urgent than level-4/5 ones', () => {
  const random = seededRandom(5);
  const model = shippedModel();
  const meanLevel = new Map<Level, number>();
  for (const acuity of levels) {
    let sum = 0;
    for (let count = 0; count < patientsPerAcuity; count += 1) {
      const mode = count % 3 === 0 ? 'public-ambulance' : 'walk';
      sum += triage(synthesisePresentation(acuity, mode, random), model).level;
    }
    meanLevel.set(acuity, sum / patientsPerAcuity);
  }
  const urgent = ((meanLevel.get(1) ?? 0) + (meanLevel.get(2) ?? 0)) / 2;
  const minor = ((meanLevel.get(4) ?? 0) + (meanLevel.get(5) ?? 0)) / 2;
  const report = JSON.stringify(Object.fromEntries(meanLevel));
  assert.ok(urgent + 1.5 < minor, `mean engine level by acuity: ${report}`);
  assert.ok((meanLevel.get(1) ?? 9) <= (meanLevel.get(3) ?? 0), report);
  assert.ok((meanLevel.get(3) ?? 9) <= (meanLevel.get(5) ?? 0), report);
});
