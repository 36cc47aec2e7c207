import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Presentation } from '../../src/core/triage/presentation.ts';
import {
  applyRules,
  bindingLevel,
  dangerZoneLimits,
  hypotensionLimitMmHg,
  lifeSavingLimits,
} from '../../src/core/triage/rules.ts';
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

void test('a benign walk-in with no vital signs recorded is never level 1; bug: 32 of 45 were, with the lift to level 1', () => {
  const complaints = [
    'ankle sprain',
    'insect sting',
    'dressing change',
    'lab results',
    'medication refill',
    'laceration',
    'rash',
    'sore throat',
    'tube change',
    'wrist injury',
    'cough',
    'ear pain',
    'finger laceration',
    'skin rash',
    'toothache',
    'nasal congestion',
    'common cold',
    'sprained wrist',
    'minor burn',
    'CT film copy',
    'prescription',
    'suture removal',
    'foreign body eye',
    'urinary frequency',
    'constipation',
    'diarrhea',
    'hand injury',
    'foot pain',
    'knee pain',
    'back pain',
    'shoulder pain',
    'dog bite',
    'nosebleed',
    'eye redness',
    'itching',
    'insomnia',
    'heartburn',
    'hiccups',
    'ingrown toenail',
    'wart',
    'acne',
    'mild fever',
    'sunburn',
    'cold sore',
    'blister',
  ];
  const unmeasured = {
    painScore: null,
    systolicMmHg: null,
    diastolicMmHg: null,
    heartRatePerMinute: null,
    respiratoryRatePerMinute: null,
    temperatureCelsius: null,
    oxygenSaturationPercent: null,
  };
  const assigned = complaints.map((chiefComplaint) =>
    level({ ...unmeasured, sex: 'male', ageYears: 45, chiefComplaint }),
  );
  assert.equal(assigned.filter((l) => l === 1).length, 0, assigned.join(','));
  assert.ok(assigned.filter((l) => l >= 3).length >= 40, assigned.join(','));
  const sprain = triage({ ...calmAdult, ...unmeasured, chiefComplaint: 'ankle sprain' }, model);
  assert.ok(sprain.level >= 3, JSON.stringify(sprain));
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

/** A well child of `ageYears` with normal vital signs for that age. */
function wellChild(
  ageYears: number,
  heartRatePerMinute: number,
  respiratoryRatePerMinute: number,
): Presentation {
  return {
    ...calmAdult,
    ageYears,
    chiefComplaint: 'cough',
    systolicMmHg: 95,
    diastolicMmHg: 55,
    heartRatePerMinute,
    respiratoryRatePerMinute,
    temperatureCelsius: 37,
  };
}
const childRules = (child: Presentation, changes: Partial<Presentation> = {}): string[] =>
  applyRules({ ...child, ...changes }).map((f) => f.rule);
const lifeSavingRules = (child: Presentation, changes: Partial<Presentation> = {}): string[] =>
  applyRules({ ...child, ...changes })
    .filter((f) => f.point === 'life-saving')
    .map((f) => f.rule);

void test('under 3 months: HR 50 is life-saving, RR 45 (normal for an infant) fires no rule; bug: RR > 40 was level 1 at every age', () => {
  const infant = wellChild(1 / 12, 140, 45);
  assert.deepEqual(childRules(infant), []);
  assert.notEqual(triage(infant, model).level, 1);
  assert.deepEqual(lifeSavingRules(infant, { heartRatePerMinute: 50 }), ['heart-rate-extreme']);
  assert.equal(triage({ ...infant, heartRatePerMinute: 50 }, model).level, 1);
  assert.ok(childRules(infant, { respiratoryRatePerMinute: 55 }).includes('danger-respiratory-rate'));
  assert.deepEqual(lifeSavingRules(infant, { respiratoryRatePerMinute: 55 }), []);
  assert.deepEqual(lifeSavingRules(infant, { respiratoryRatePerMinute: 75 }), ['respiratory-rate-extreme']);
  assert.ok(childRules(infant, { heartRatePerMinute: 190 }).includes('danger-heart-rate'));
  assert.deepEqual(lifeSavingRules(infant, { heartRatePerMinute: 230 }), ['heart-rate-extreme']);
});

void test('3 months to 3 years: danger zone over HR 160 / RR 40, life-saving under HR 60 or over RR 60', () => {
  const toddler = wellChild(2, 120, 30);
  assert.deepEqual(childRules(toddler), []);
  assert.ok(childRules(toddler, { heartRatePerMinute: 170 }).includes('danger-heart-rate'));
  assert.ok(childRules(toddler, { respiratoryRatePerMinute: 45 }).includes('danger-respiratory-rate'));
  assert.deepEqual(lifeSavingRules(toddler, { respiratoryRatePerMinute: 45 }), []);
  assert.deepEqual(lifeSavingRules(toddler, { heartRatePerMinute: 55 }), ['heart-rate-extreme']);
  assert.deepEqual(lifeSavingRules(toddler, { respiratoryRatePerMinute: 65 }), ['respiratory-rate-extreme']);
});

void test('3 to 8 years: HR 35 is life-saving (bug: no rule under 8 years), HR 150 and RR 35 are danger zone', () => {
  const child = wellChild(5, 100, 22);
  assert.deepEqual(childRules(child), []);
  assert.deepEqual(lifeSavingRules(child, { heartRatePerMinute: 35 }), ['heart-rate-extreme']);
  assert.equal(triage({ ...child, heartRatePerMinute: 35 }, model).level, 1);
  assert.ok(childRules(child, { heartRatePerMinute: 150 }).includes('danger-heart-rate'));
  assert.deepEqual(lifeSavingRules(child, { heartRatePerMinute: 150 }), []);
  assert.ok(childRules(child, { respiratoryRatePerMinute: 35 }).includes('danger-respiratory-rate'));
  assert.deepEqual(lifeSavingRules(child, { respiratoryRatePerMinute: 55 }), ['respiratory-rate-extreme']);
  assert.ok(childRules(child, { systolicMmHg: 75, diastolicMmHg: 40 }).includes('hypotension'));
  assert.ok(!childRules(child, { systolicMmHg: 85, diastolicMmHg: 50 }).includes('hypotension'));
});

void test('from 8 years the adult limits are unchanged: HR below 40 or over 150, RR below 8 or over 40, SBP below 90', () => {
  for (const ageYears of [8, 40]) {
    const patient = { ...calmAdult, ageYears };
    assert.deepEqual(lifeSavingRules(patient, { heartRatePerMinute: 39 }), ['heart-rate-extreme']);
    assert.deepEqual(lifeSavingRules(patient, { heartRatePerMinute: 40 }), []);
    assert.deepEqual(lifeSavingRules(patient, { heartRatePerMinute: 150 }), []);
    assert.deepEqual(lifeSavingRules(patient, { heartRatePerMinute: 151 }), ['heart-rate-extreme']);
    assert.deepEqual(lifeSavingRules(patient, { respiratoryRatePerMinute: 7 }), ['respiratory-rate-extreme']);
    assert.deepEqual(lifeSavingRules(patient, { respiratoryRatePerMinute: 8 }), []);
    assert.deepEqual(lifeSavingRules(patient, { respiratoryRatePerMinute: 40 }), []);
    assert.deepEqual(lifeSavingRules(patient, { respiratoryRatePerMinute: 41 }), [
      'respiratory-rate-extreme',
    ]);
    assert.equal(hypotensionLimitMmHg(ageYears), 90);
  }
  assert.ok(rules({ temperatureCelsius: 38.5, heartRatePerMinute: 95 }).includes('fever-sirs'));
});

void test('fever with a fast pulse is judged by age: HR 120 is normal at 2 years, 170 is not', () => {
  const feverish = wellChild(2, 120, 30);
  assert.ok(!childRules(feverish, { temperatureCelsius: 38.8 }).includes('fever-sirs'));
  assert.ok(
    childRules(feverish, { temperatureCelsius: 38.8, heartRatePerMinute: 170 }).includes('fever-sirs'),
  );
});

void test('in every age band the life-saving limits lie beyond the danger zone', () => {
  for (const ageYears of [0, 0.1, 0.25, 1, 2.9, 3, 5, 7.9, 8, 30, 90]) {
    const danger = dangerZoneLimits(ageYears);
    const life = lifeSavingLimits(ageYears);
    assert.ok(life.heartRatePerMinute.above > danger.heartRatePerMinute, `HR at ${ageYears} y`);
    assert.ok(life.respiratoryRatePerMinute.above > danger.respiratoryRatePerMinute, `RR at ${ageYears} y`);
    assert.ok(life.heartRatePerMinute.below < life.heartRatePerMinute.above);
    assert.ok(hypotensionLimitMmHg(ageYears) >= 60 && hypotensionLimitMmHg(ageYears) <= 90);
  }
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
