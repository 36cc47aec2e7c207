import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePresentation } from '../../src/core/triage/presentation-input.ts';
import { triage } from '../../src/core/triage/engine.ts';
import { shippedModel } from '../../src/core/triage/shipped-model.ts';

const walkIn = {
  sex: 'male',
  ageYears: 45,
  arrivalMode: 'walk',
  injury: false,
  mental: 'alert',
  pain: false,
  chiefComplaint: 'ankle sprain',
};

/** The request body as the HTTP edge gets it: JSON text, parsed. */
function parseBody(json: string): ReturnType<typeof parsePresentation> {
  return parsePresentation(JSON.parse(json) as unknown);
}

void test('the sickest patients are accepted and get level 1; bug: HR 15, HR 0, SpO2 45 and SBP 35 were refused with 400', () => {
  for (const vitals of [
    { heartRatePerMinute: 15 },
    { heartRatePerMinute: 0 },
    { oxygenSaturationPercent: 45 },
    { systolicMmHg: 35, diastolicMmHg: 20 },
    { respiratoryRatePerMinute: 2 },
    { heartRatePerMinute: 320 },
  ]) {
    const parsed = parsePresentation({ ...walkIn, ...vitals });
    assert.ok(parsed.ok, `${JSON.stringify(vitals)}: ${JSON.stringify(parsed.ok ? null : parsed.errors)}`);
    assert.equal(triage(parsed.presentation, shippedModel()).level, 1, JSON.stringify(vitals));
  }
  assert.ok(parsePresentation({ ...walkIn, temperatureCelsius: 24, systolicMmHg: 0, diastolicMmHg: 0 }).ok);
});

void test('vital signs beyond what a body can show are refused, naming the field, the value and the range', () => {
  const parsed = parsePresentation({
    ...walkIn,
    heartRatePerMinute: 351,
    oxygenSaturationPercent: 101,
    temperatureCelsius: 19,
    respiratoryRatePerMinute: -1,
  });
  assert.ok(!parsed.ok);
  assert.deepEqual(parsed.errors, [
    { field: 'heartRatePerMinute', value: 351, rule: 'must be null or a number from 0 to 350' },
    { field: 'respiratoryRatePerMinute', value: -1, rule: 'must be null or a number from 0 to 150' },
    { field: 'temperatureCelsius', value: 19, rule: 'must be null or a number from 20 to 46' },
    { field: 'oxygenSaturationPercent', value: 101, rule: 'must be null or a number from 0 to 100' },
  ]);
});

void test('a number too large for JSON is reported as Infinity; bug: it was reported as "null"', () => {
  const parsed = parseBody(
    `{"sex":"male","ageYears":45,"arrivalMode":"walk","injury":false,"mental":"alert","pain":false,"heartRatePerMinute":1e400}`,
  );
  assert.ok(!parsed.ok);
  assert.deepEqual(parsed.errors, [
    { field: 'heartRatePerMinute', value: 'Infinity', rule: 'must be null or a number from 0 to 350' },
  ]);
});

void test('a pain score above 0 with pain false is refused; bug: it was accepted and drove a "severe pain" reason', () => {
  const parsed = parsePresentation({ ...walkIn, painScore: 9 });
  assert.ok(!parsed.ok);
  assert.deepEqual(parsed.errors, [
    {
      field: 'pain/painScore',
      value: { pain: false, painScore: 9 },
      rule: 'a pain score above 0 needs pain true (no pain: painScore 0 or null)',
    },
  ]);
  assert.ok(parsePresentation({ ...walkIn, painScore: 0 }).ok);
  assert.ok(parsePresentation({ ...walkIn, pain: true, painScore: 9 }).ok);
});

void test('a diastolic pressure above the systolic is refused naming both; bug: it was accepted', () => {
  const parsed = parsePresentation({ ...walkIn, systolicMmHg: 90, diastolicMmHg: 120 });
  assert.ok(!parsed.ok);
  assert.deepEqual(parsed.errors, [
    {
      field: 'systolicMmHg/diastolicMmHg',
      value: { systolicMmHg: 90, diastolicMmHg: 120 },
      rule: 'the diastolic pressure must be below the systolic (both 0 when there is no pressure)',
    },
  ]);
  assert.ok(!parsePresentation({ ...walkIn, systolicMmHg: 90, diastolicMmHg: 90 }).ok);
  assert.ok(parsePresentation({ ...walkIn, systolicMmHg: 120, diastolicMmHg: null }).ok);
});

void test('department null is accepted as not known, like a null vital sign; bug: it was refused', () => {
  const parsed = parsePresentation({ ...walkIn, department: null, heartRatePerMinute: null });
  assert.ok(parsed.ok);
  assert.equal(parsed.presentation.department, undefined);
  assert.equal(parsed.presentation.heartRatePerMinute, null);
  const wrong = parsePresentation({ ...walkIn, department: 'national' });
  assert.ok(!wrong.ok);
  assert.deepEqual(wrong.errors, [
    { field: 'department', value: 'national', rule: 'must be one of local, regional' },
  ]);
});

void test('a missing required field is shown with value null, as the other endpoints show it; bug: it was "undefined"', () => {
  const { sex: _sex, ...withoutSex } = walkIn;
  const parsed = parsePresentation(withoutSex);
  assert.ok(!parsed.ok);
  const issue = parsed.errors.find((error) => error.field === 'sex');
  assert.equal(issue?.value, null);
  assert.match(issue?.rule ?? '', /must be one of/);
});

void test('a refused value is the value sent, as the other endpoints give it; bug: it was its JSON text ("\\"34\\"", "null")', () => {
  const parsed = parsePresentation({ ...walkIn, ageYears: '34', sex: null, injury: 0, nurseLevel: [3] });
  assert.ok(!parsed.ok);
  assert.deepEqual(parsed.errors, [
    { field: 'nurseLevel', value: [3], rule: 'unknown field (not known at the door, or misspelt)' },
    { field: 'ageYears', value: '34', rule: 'must be a number from 0 to 120' },
    { field: 'sex', value: null, rule: 'must be one of female, male' },
    { field: 'injury', value: 0, rule: 'must be true or false' },
  ]);
});

void test('a body that is not an object is refused with the body as its value; bug: an array was shown as ""', () => {
  for (const body of [[], [1, 2], 'walk-in', 7, null]) {
    const parsed = parsePresentation(body);
    assert.ok(!parsed.ok);
    assert.deepEqual(
      parsed.errors,
      [{ field: '(body)', value: body, rule: 'must be an object' }],
      String(body),
    );
  }
});

void test('a pain score that is not a whole number is refused; bug: 7.5 was accepted', () => {
  const parsed = parsePresentation({ ...walkIn, pain: true, painScore: 7.5 });
  assert.ok(!parsed.ok);
  assert.deepEqual(parsed.errors, [
    { field: 'painScore', value: 7.5, rule: 'must be null or a whole number from 0 to 10' },
  ]);
  assert.ok(parsePresentation({ ...walkIn, pain: true, painScore: 7 }).ok);
  assert.ok(
    parsePresentation({ ...walkIn, temperatureCelsius: 37.5 }).ok,
    'other vital signs keep fractions',
  );
});
