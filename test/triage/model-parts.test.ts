import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Level, Presentation } from '../../src/core/triage/presentation.ts';
import { chooseDecision, decide, plainDecision } from '../../src/core/triage/decision.ts';
import { complaintConcept, normalisedWords } from '../../src/core/triage/complaint-concepts.ts';
import {
  complaintEncodingNames,
  encodeComplaint,
  learnComplaintEncoder,
  outOfFoldEncodings,
} from '../../src/core/triage/complaint-encoding.ts';
import { ktasModifiers } from '../../src/core/triage/ktas-modifiers.ts';
import { assignShuffledFolds } from '../../src/core/triage/cross-validation.ts';
import { featureNames, featureVector } from '../../src/core/triage/features.ts';
import { applyRules } from '../../src/core/triage/rules.ts';
import fc from 'fast-check';

const adult: Presentation = {
  sex: 'female',
  ageYears: 45,
  arrivalMode: 'walk',
  injury: false,
  chiefComplaint: 'abd pain',
  mental: 'alert',
  pain: true,
  painScore: 5,
  systolicMmHg: 125,
  diastolicMmHg: 80,
  heartRatePerMinute: 80,
  respiratoryRatePerMinute: 18,
  temperatureCelsius: 36.6,
  oxygenSaturationPercent: 98,
};

void test('decide: symmetric costs give the level nearest the distribution; a higher under-triage cost moves it up', () => {
  const p = [0, 0.1, 0.35, 0.55, 0];
  assert.equal(decide(p, plainDecision), 4);
  assert.equal(decide(p, { underTriageCost: 2, urgentThreshold: 1 }), 3);
  assert.equal(
    decide(p, { underTriageCost: 1, urgentThreshold: 0.1 }),
    2,
    'levels 1-2 hold 0.1: lifted to 2',
  );
  assert.equal(decide(p, plainDecision, 3), 3, 'never less urgent than the binding bound');
});

void test('the urgent lift gives level 2, never level 1; bug: p(1) > p(2) lifted a likely level 5 to level 1', () => {
  // The audit's walk-in: most likely level 5, levels 1–2 together 0.11, level 1 ahead of level 2.
  const p = [0.064, 0.043, 0.109, 0.207, 0.577];
  assert.equal(decide(p, { underTriageCost: 1.5, urgentThreshold: 0.08 }), 2);
  assert.equal(
    decide(p, { underTriageCost: 1.5, urgentThreshold: 0.08 }, 1),
    1,
    'a binding level 1 still binds',
  );
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
      fc.constantFrom(1, 1.25, 1.5, 2, 3),
      fc.constantFrom(0.4, 0.2, 0.1, 0.05),
      (weights, underTriageCost, urgentThreshold) => {
        const sum = weights.reduce((a, b) => a + b, 0) || 1;
        const q = weights.map((w) => w / sum);
        const lifted = decide(q, { underTriageCost, urgentThreshold });
        const unlifted = decide(q, { underTriageCost, urgentThreshold: 1 });
        return lifted === 1 ? unlifted === 1 : lifted <= unlifted;
      },
    ),
    { numRuns: 500 },
  );
});

void test('a missing pressure, pulse, rate or temperature reads as typical for an alert patient who came on their own, and as a sign when brought by ambulance or not alert', () => {
  const names = featureNames([]);
  const blank = {
    ...adult,
    systolicMmHg: null,
    diastolicMmHg: null,
    heartRatePerMinute: null,
    respiratoryRatePerMinute: null,
    temperatureCelsius: null,
    oxygenSaturationPercent: null,
  };
  const indicators = (p: Presentation): Record<string, number> => {
    const vector = featureVector(p, applyRules(p), [], new Array<number>(16).fill(0));
    return Object.fromEntries(
      names.flatMap((name, i) =>
        /(MmHg|PerMinute|Celsius|Percent)-missing/.test(name) ? [[name, vector[i] as number]] : [],
      ),
    );
  };
  assert.deepEqual(indicators(blank), {
    'systolicMmHg-missing-unwell': 0,
    'diastolicMmHg-missing-unwell': 0,
    'heartRatePerMinute-missing-unwell': 0,
    'respiratoryRatePerMinute-missing-unwell': 0,
    'temperatureCelsius-missing-unwell': 0,
    'oxygenSaturationPercent-missing': 1,
  });
  for (const unwell of [{ arrivalMode: 'public-ambulance' as const }, { mental: 'verbal' as const }]) {
    const flags = indicators({ ...blank, ...unwell });
    assert.ok(
      Object.values(flags).every((flag) => flag === 1),
      JSON.stringify(flags),
    );
  }
  assert.ok(Object.values(indicators(adult)).every((flag) => flag === 0));
});

void test('chooseDecision meets both bars when a grid rule can, and then prefers exact agreement', () => {
  // Half the urgent patients carry a weak urgent signal (0.2); the rest of the rows are clear.
  const truth: Level[] = [2, 2, 3, 3, 4, 4];
  const p = [
    [0, 0.6, 0.4, 0, 0],
    [0, 0.2, 0.8, 0, 0],
    [0, 0, 1, 0, 0],
    [0, 0, 1, 0, 0],
    [0, 0, 0, 1, 0],
    [0, 0, 0, 1, 0],
  ];
  const bounds: Level[] = [5, 5, 5, 5, 5, 5];
  const strict = chooseDecision(p, bounds, truth, {
    maximumUnderTriageRate: 0,
    minimumSensitivityLevels1to2: 1,
  });
  assert.ok(strict.urgentThreshold <= 0.2, `threshold ${strict.urgentThreshold} lifts the 0.2 patient`);
  assert.equal(decide(p[1] as number[], strict), 2);
  const lax = chooseDecision(p, bounds, truth, {
    maximumUnderTriageRate: 1,
    minimumSensitivityLevels1to2: 0,
  });
  const assigned = p.map((row) => decide(row, lax));
  assert.equal(assigned.filter((level, i) => level === truth[i]).length, 6, 'lax bars: the exact rule wins');
});

void test('the concept lexicon pools spellings of one complaint', () => {
  for (const text of ['rt. side motor weakness', 'Lt hemiparesis', 'dysarthria', 'L side weakness'])
    assert.equal(complaintConcept(text)?.name, 'stroke', text);
  for (const text of ['abd pain', 'pain, abdominal', 'Epigastric pain', 'RLQ abd. pain'])
    assert.equal(complaintConcept(text)?.name, 'abdominal-pain', text);
  assert.equal(complaintConcept('left chest wall pain')?.name, 'chest-wall');
  assert.equal(complaintConcept('post-CPR state')?.name, 'arrest');
  assert.equal(complaintConcept('xyz'), null);
  assert.deepEqual(normalisedWords('Dz - dizziness'), ['dizziness', 'dizziness']);
});

void test('complaint encoding: an unseen token falls back to the overall mix; out-of-fold rows never see their own label', () => {
  const inputs = ['fever', 'fever', 'fever', 'fever', 'cough'].map((complaint) => ({
    complaint,
    painScore: 0,
  }));
  const encoder = learnComplaintEncoder(inputs, [1, 1, 1, 1, 4], 1);
  const fever = encodeComplaint(encoder, { complaint: 'fever', painScore: 0 });
  const unseen = encodeComplaint(encoder, { complaint: 'qqq', painScore: 0 });
  assert.equal(fever.length, complaintEncodingNames.length);
  const urgent = complaintEncodingNames.indexOf('phrase-urgent');
  assert.ok((fever[urgent] as number) > 0.7, 'four of four fevers were level 2');
  assert.ok(Math.abs((unseen[urgent] as number) - 0.8) < 1e-12, 'the overall share of levels 1-2 is 4/5');
  // Each row's label is unique to its fold: a leak would pull row 0 towards level 1.
  const labels = [0, 4, 4, 4, 4, 4];
  const rows = labels.map(() => ({ complaint: 'same words', painScore: 0 }));
  const encoded = outOfFoldEncodings(rows, labels, 1, 6);
  assert.ok((encoded[0]?.[urgent] as number) < 0.2, 'row 0 (level 1) is encoded from five level-5 rows');
});

void test('KTAS modifiers: central pain by severity, peripheral pain one level less urgent, consciousness and fever', () => {
  assert.equal(ktasModifiers({ ...adult, painScore: 9 }).level, 2);
  assert.equal(ktasModifiers(adult).level, 3);
  assert.equal(ktasModifiers({ ...adult, painScore: 2 }).level, 4);
  assert.equal(ktasModifiers({ ...adult, chiefComplaint: 'ankle pain', painScore: 5 }).pain, 4);
  assert.equal(ktasModifiers({ ...adult, mental: 'unresponsive' }).level, 1);
  const septic = {
    ...adult,
    painScore: 0,
    temperatureCelsius: 39,
    heartRatePerMinute: 120,
    respiratoryRatePerMinute: 24,
  };
  assert.equal(ktasModifiers(septic).temperature, 2);
  assert.equal(
    ktasModifiers({ ...septic, heartRatePerMinute: 80, respiratoryRatePerMinute: 16 }).temperature,
    3,
  );
  assert.equal(ktasModifiers({ ...adult, oxygenSaturationPercent: 88 }).breathing, 2);
});

void test('shuffled folds are stratified by level, deterministic per seed, and differ between seeds', () => {
  const levelsOfRows: Level[] = Array.from({ length: 103 }, (_, i) => ((i * 7) % 5) + 1) as Level[];
  const a = assignShuffledFolds(levelsOfRows, 10, 1);
  assert.deepEqual(assignShuffledFolds(levelsOfRows, 10, 1), a);
  assert.notDeepEqual(assignShuffledFolds(levelsOfRows, 10, 2), a);
  for (const level of [1, 2, 3, 4, 5]) {
    const perFold = Array.from(
      { length: 10 },
      (_, k) => a.filter((fold, i) => fold === k && levelsOfRows[i] === level).length,
    );
    assert.ok(Math.max(...perFold) - Math.min(...perFold) <= 1, `level ${level}: ${perFold.join(',')}`);
  }
});
