import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Presentation, Level } from '../../src/core/triage/presentation.ts';
import { splitRecords } from '../../src/core/csv.ts';
import { decodeText } from '../../src/core/triage/text.ts';
import { parseKtasText } from '../../src/core/triage/ktas-file.ts';
import { triage, modelFeatureNames, defaultTrainingOptions } from '../../src/core/triage/engine.ts';
import { shippedModel } from '../../src/core/triage/shipped-model.ts';
import { crossValidate, assignFolds } from '../../src/core/triage/cross-validation.ts';
import { parsePresentation } from '../../src/core/triage/presentation-input.ts';

const text = decodeText(readFileSync(new URL('../../../shared/data/ktas/train.csv', import.meta.url)));
const forbidden = /ktas|nurse|expert|rn$|diagnos|disposition|stay|duration|error|mistriage|outcome|label/i;

// Compile-time: the engine's input type has no nurse, expert or outcome field.
type ForbiddenKey = Extract<
  keyof Presentation,
  `${string}${'ktas' | 'Ktas' | 'KTAS' | 'nurse' | 'Nurse' | 'expert' | 'Expert' | 'iagnos' | 'isposition' | 'Stay' | 'stay' | 'rror' | 'istriage' | 'duration' | 'Duration'}${string}`
>;
const noForbiddenKeys: [ForbiddenKey] extends [never] ? true : false = true;

const allowedKeys = [
  'department',
  'sex',
  'ageYears',
  'arrivalMode',
  'injury',
  'chiefComplaint',
  'mental',
  'pain',
  'painScore',
  'systolicMmHg',
  'diastolicMmHg',
  'heartRatePerMinute',
  'respiratoryRatePerMinute',
  'temperatureCelsius',
  'oxygenSaturationPercent',
].sort();

void test('the presentation type and every parsed presentation hold only door-time fields', () => {
  assert.equal(noForbiddenKeys, true);
  const parsed = parseKtasText(text);
  assert.ok(parsed.ok);
  for (const row of parsed.rows) {
    assert.ok(row.ok);
    assert.deepEqual(Object.keys(row.presentation).sort(), allowedKeys);
  }
  for (const name of modelFeatureNames(shippedModel()).filter((n) => !n.startsWith('word:')))
    assert.doesNotMatch(name, forbidden);
});

void test('predictions do not change when the nurse, expert and outcome columns are scrambled or removed', () => {
  const split = splitRecords(text, ';');
  assert.ok(split.ok);
  const records = split.records;
  const header = records[0]?.fields ?? [];
  const outcome = header
    .map((name, index) => (/ktas|diagnos|disposition|error|stay|duration|mistriage/i.test(name) ? index : -1))
    .filter((i) => i >= 0);
  assert.equal(outcome.length, 8);
  const scrambled = records.map((record, r) =>
    record.fields
      .map((field, index) => (r > 0 && outcome.includes(index) ? String(((r * 7 + index) % 5) + 1) : field))
      .join(';'),
  );
  const removed = records.map((record) =>
    record.fields
      .filter((_, index) => !outcome.includes(index))
      .map((f) => (f.includes(',') ? `"${f}"` : f))
      .join(';'),
  );
  const levelsOf = (source: string): Level[] => {
    const parsed = parseKtasText(source);
    assert.ok(parsed.ok);
    return parsed.rows.map((row) => (row.ok ? triage(row.presentation, shippedModel()).level : 5));
  };
  const original = levelsOf(text);
  assert.deepEqual(levelsOf(scrambled.join('\r\n')), original);
  assert.deepEqual(levelsOf(removed.join('\r\n')), original);
});

void test('an API body carrying a nurse level or diagnosis is rejected, naming the field', () => {
  const body = {
    sex: 'male',
    ageYears: 50,
    arrivalMode: 'walk',
    injury: false,
    chiefComplaint: 'cough',
    mental: 'alert',
    pain: false,
    KTAS_RN: 3,
    diagnosis: 'x',
  };
  const parsed = parsePresentation(body);
  assert.ok(!parsed.ok);
  assert.deepEqual(
    parsed.errors.map((e) => e.field),
    ['KTAS_RN', 'diagnosis'],
  );
  const clean = parsePresentation({
    ...body,
    KTAS_RN: undefined,
    diagnosis: undefined,
    heartRatePerMinute: 90,
  });
  assert.ok(!clean.ok, 'keys present with undefined values are still unknown fields');
  const { KTAS_RN: _nurse, diagnosis: _diagnosis, ...door } = body;
  const accepted = parsePresentation(door);
  assert.ok(accepted.ok);
  assert.equal(accepted.presentation.heartRatePerMinute, null);
});

void test('cross-validation retrains per fold: held-out labels cannot change held-out predictions', () => {
  const parsed = parseKtasText(text);
  assert.ok(parsed.ok);
  const examples = parsed.rows
    .slice(0, 300)
    .flatMap((row) =>
      row.ok && row.labels.expertLevel !== null
        ? [{ presentation: row.presentation, level: row.labels.expertLevel }]
        : [],
    );
  const options = { ...defaultTrainingOptions, steps: 60 };
  const folds = 3;
  const fold = assignFolds(
    examples.map((e) => e.level),
    folds,
  );
  const before = crossValidate(examples, folds, options, fold);
  // Flip the labels of fold 0 (1↔5, 2↔4) with every row kept in its fold: fold 0 predictions must not move.
  const flipped = examples.map((example, index) =>
    fold[index] === 0 ? { ...example, level: (6 - example.level) as Level } : example,
  );
  const after = crossValidate(flipped, folds, options, fold);
  const heldOut = (levels: Level[]): Level[] => levels.filter((_, index) => fold[index] === 0);
  assert.deepEqual(heldOut(after), heldOut(before));
  assert.notDeepEqual(
    after.filter((_, index) => fold[index] !== 0),
    before.filter((_, index) => fold[index] !== 0),
    'the other folds, trained on the flipped labels, do change',
  );
});

void test('an API body may name the department (local or regional); another value is rejected', () => {
  const door = {
    sex: 'female',
    ageYears: 30,
    arrivalMode: 'walk',
    injury: false,
    chiefComplaint: 'cough',
    mental: 'alert',
    pain: false,
  };
  const regional = parsePresentation({ ...door, department: 'regional' });
  assert.ok(regional.ok);
  assert.equal(regional.presentation.department, 'regional');
  const absent = parsePresentation(door);
  assert.ok(absent.ok);
  assert.equal('department' in absent.presentation, false);
  const wrong = parsePresentation({ ...door, department: 'central' });
  assert.ok(!wrong.ok);
  assert.deepEqual(
    wrong.errors.map((e) => e.field),
    ['department'],
  );
});
