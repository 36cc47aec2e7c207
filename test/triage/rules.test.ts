import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Presentation } from '../../src/core/triage/presentation.ts';
import { applyRules, bindingLevel, dangerZoneLimits } from '../../src/core/triage/rules.ts';
import { triage } from '../../src/core/triage/engine.ts';
import { shippedModel } from '../../src/core/triage/shipped-model.ts';

const calmAdult: Presentation = {
  sex: 'female',
  ageYears: 40,
  arrivalMode: 'walk',
  injury: false,
  chiefComplaint: 'skin rash',
  mental: 'alert',
  pain: false,
  painScore: 0,
  systolicMmHg: 120,
  diastolicMmHg: 80,
  heartRatePerMinute: 80,
  respiratoryRatePerMinute: 16,
  temperatureCelsius: 36.6,
  oxygenSaturationPercent: 98,
};
const model = shippedModel();
const rules = (changes: Partial<Presentation>): string[] =>
  applyRules({ ...calmAdult, ...changes }).map((f) => f.rule);
const level = (changes: Partial<Presentation>): number => triage({ ...calmAdult, ...changes }, model).level;

const presentation = fc.record({
  sex: fc.constantFrom('female' as const, 'male' as const),
  ageYears: fc.integer({ min: 0, max: 100 }),
  arrivalMode: fc.constantFrom(
    'walk' as const,
    'public-ambulance' as const,
    'private-vehicle' as const,
    'private-ambulance' as const,
    'other' as const,
  ),
  injury: fc.boolean(),
  chiefComplaint: fc.constantFrom(
    '',
    'skin rash',
    'ankle sprain',
    'fever',
    'ant. chest pain',
    'dizziness',
    'open wound',
    'cough',
  ),
  mental: fc.constantFrom('alert' as const, 'verbal' as const, 'pain' as const, 'unresponsive' as const),
  pain: fc.boolean(),
  painScore: fc.option(fc.integer({ min: 0, max: 10 })),
  systolicMmHg: fc.option(fc.integer({ min: 60, max: 240 })),
  diastolicMmHg: fc.option(fc.integer({ min: 30, max: 59 })),
  heartRatePerMinute: fc.option(fc.integer({ min: 30, max: 200 })),
  respiratoryRatePerMinute: fc.option(fc.integer({ min: 6, max: 50 })),
  temperatureCelsius: fc.option(fc.double({ min: 34, max: 41, noNaN: true })),
  oxygenSaturationPercent: fc.option(fc.integer({ min: 60, max: 100 })),
});

void test('a calm adult with a rash fires no binding rule and is triaged non-urgent (4–5)', () => {
  assert.equal(bindingLevel(applyRules(calmAdult)), 5);
  assert.ok(level({}) >= 4, `got ${level({})}`);
});

void test('life-saving intervention: unresponsive, shock, extreme rates, severe hypoxia or arrest are level 1', () => {
  assert.equal(level({ mental: 'unresponsive' }), 1);
  assert.equal(level({ systolicMmHg: 62, diastolicMmHg: 40 }), 1);
  assert.equal(level({ heartRatePerMinute: 35 }), 1);
  assert.equal(level({ heartRatePerMinute: 165 }), 1);
  assert.equal(level({ respiratoryRatePerMinute: 44 }), 1);
  assert.equal(level({ oxygenSaturationPercent: 75 }), 1);
  assert.equal(level({ chiefComplaint: 'post-CPR state' }), 1);
});

void test('high-risk presentation: hypotension and SpO2 below 90% are never below level 2', () => {
  assert.ok(level({ systolicMmHg: 85, diastolicMmHg: 50 }) <= 2);
  assert.ok(level({ oxygenSaturationPercent: 88 }) <= 2);
});

void test('high-risk complaints are flagged (advisory): chest pain, stroke signs, haematemesis', () => {
  for (const complaint of [
    'ant. chest pain',
    'Rt. side motor weakness',
    'dysarthria',
    'hematemesis',
    'Suicidal Attempt',
  ]) {
    assert.ok(rules({ chiefComplaint: complaint }).includes('high-risk-complaint'), complaint);
  }
  assert.ok(!rules({ chiefComplaint: 'ankle sprain' }).includes('high-risk-complaint'));
  assert.ok(
    level({
      chiefComplaint: 'ant. chest pain',
      pain: true,
      painScore: 5,
      ageYears: 62,
      arrivalMode: 'private-vehicle',
    }) <= 2,
  );
});

void test('danger-zone vital signs depend on age: HR 130 is danger for an adult, not for a 5-year-old', () => {
  assert.ok(rules({ heartRatePerMinute: 130 }).includes('danger-heart-rate'));
  assert.ok(!rules({ heartRatePerMinute: 130, ageYears: 5 }).includes('danger-heart-rate'));
  assert.ok(rules({ heartRatePerMinute: 150, ageYears: 5 }).includes('danger-heart-rate'));
  assert.deepEqual(dangerZoneLimits(0.1), { heartRatePerMinute: 180, respiratoryRatePerMinute: 50 });
  assert.deepEqual(dangerZoneLimits(2), { heartRatePerMinute: 160, respiratoryRatePerMinute: 40 });
  assert.ok(rules({ respiratoryRatePerMinute: 30 }).includes('danger-respiratory-rate'));
  assert.ok(rules({ oxygenSaturationPercent: 91 }).includes('danger-saturation'));
});

void test('an adult with HR 130 and SpO2 88% is never level 4–5, whatever else the presentation holds', () => {
  fc.assert(
    fc.property(presentation, (p) => {
      const adult = {
        ...p,
        ageYears: Math.max(18, p.ageYears),
        heartRatePerMinute: 130,
        oxygenSaturationPercent: 88,
      };
      return triage(adult, model).level <= 3;
    }),
    { numRuns: 300 },
  );
});

void test('mental state: responds to pain only is never below level 2; responds to voice is flagged', () => {
  assert.ok(level({ mental: 'pain' }) <= 2);
  assert.ok(rules({ mental: 'verbal' }).includes('responds-to-voice'));
});

void test('pain: NRS 8–10 is flagged severe, 4–7 moderate', () => {
  assert.ok(rules({ pain: true, painScore: 9 }).includes('severe-pain'));
  assert.ok(rules({ pain: true, painScore: 5 }).includes('moderate-pain'));
  assert.deepEqual(
    rules({ pain: true, painScore: 2 }).filter((r) => r.endsWith('pain')),
    [],
  );
});

void test('resources: an injured patient brought by ambulance is expected to need several resources', () => {
  assert.ok(rules({ injury: true, arrivalMode: 'public-ambulance' }).includes('resources-many'));
  assert.ok(!rules({ injury: true, arrivalMode: 'walk' }).includes('resources-many'));
});

void test('the engine never returns a level less urgent than a binding rule allows, and explains itself', () => {
  fc.assert(
    fc.property(presentation, (p) => {
      const result = triage(p, model);
      const findings = applyRules(p);
      return (
        result.level <= bindingLevel(findings) &&
        result.reasons.length >= findings.length &&
        result.confidence > 0 &&
        result.confidence <= 1 + 1e-12
      );
    }),
    { numRuns: 500 },
  );
});
