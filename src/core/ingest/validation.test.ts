import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isValidId } from '../registry/validate.ts';
import { BatchCollector, isValidSensorId, resolveValidationOptions } from './validation.ts';

test("the ingest sensor-id check agrees with the registry's id rule", () => {
  const character = fc.oneof(
    fc.constantFrom('/', '+', '#', '\u0000', '\u001f', '\u007f', '\t', ' ', ',', '=', '.', 'é', '\u0080'),
    fc.constantFrom(
      '\ufffd',
      '\ud800',
      '\udbff',
      '\udc00',
      '\udfff',
      '\ud83d\ude80',
      '\udbff\udfff',
      '\ufffe',
      '\ue000',
    ),
    fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  );
  const id = fc.oneof(
    fc.constantFrom('.', '..', '...', '.a', 'a.', '..a', '. ', ' .'),
    fc.array(character, { maxLength: 12 }).map((characters) => characters.join('')),
    fc.integer({ min: 250, max: 260 }).map((length) => 'x'.repeat(length)),
    fc.integer({ min: 126, max: 130 }).map((length) => '\ud83d\ude80'.repeat(length)),
  );
  fc.assert(
    fc.property(id, (text) => assert.equal(isValidSensorId(text), isValidId(text), JSON.stringify(text))),
  );
});

test('an id holding U+FFFD or an unpaired surrogate is refused, as it would not be stored as sent; a pair is one character', () => {
  // Regression: `sensor=inv\xff` in line protocol was stored as `inv\ufffd`, a sensor no client named.
  for (const id of ['inv\ufffd', 'a\ud800', '\udc00b', 'a\ud83d', '\ude80a'])
    assert.equal(isValidSensorId(id), false, id);
  for (const id of ['pump\ud83d\ude80', 'tür-7', '\ue000', '\uffff'])
    assert.equal(isValidSensorId(id), true, id);
  // 128 pairs are 256 code units, the limit; one more is over it.
  assert.equal(isValidSensorId('\ud83d\ude80'.repeat(128)), true);
  assert.equal(isValidSensorId('\ud83d\ude80'.repeat(128) + 'x'), false);
});

test('the longest sensor id may be lowered, not raised past the registry limit of 256', () => {
  assert.equal(resolveValidationOptions({ maxSensorIdLength: 64 }).maxSensorIdLength, 64);
  assert.throws(() => resolveValidationOptions({ maxSensorIdLength: 300 }), /1 to 256/);
  assert.throws(() => resolveValidationOptions({ maxSensorIdLength: 0 }), /1 to 256/);
});

test('options are resolved once: a resolved object is handed back as it is, and cannot be changed', () => {
  const resolved = resolveValidationOptions({ maxFutureMillis: 5 });
  assert.equal(resolveValidationOptions(resolved), resolved);
  assert.equal(resolved.maxFutureMillis, 5);
  assert.throws(() => Object.assign(resolved, { maxFutureMillis: -1 }), TypeError);
  // An equal object not resolved here is checked and completed again.
  assert.notEqual(resolveValidationOptions({ ...resolved }), resolved);
});

test("'.' and '..' are refused as sensor ids, as no URL can name them; other dotted ids pass", () => {
  // Regression: both were auto-registered, then /api/v1/sensors/%2E%2E was normalised to /api/v1/.
  for (const id of ['.', '..']) assert.equal(isValidSensorId(id), false, id);
  for (const id of ['...', '.a', 'a.', 'pump-7.flow']) assert.equal(isValidSensorId(id), true, id);
});

test('the collector keeps a reading whose value and time pass, truncated to the millisecond, and names the rule of each that fails', () => {
  const now = 1_700_000_000_000;
  const cases: [number, number, string | undefined][] = [
    [now + 0.9, 1.5, undefined],
    [0, -2, undefined],
    [now + 86_400_000, 3, undefined],
    [now + 86_400_001, 3, 'future-timestamp'],
    [-1, 3, 'bad-timestamp'],
    [Number.NaN, 3, 'bad-timestamp'],
    [now, Number.NaN, 'not-finite'],
    [now, Number.POSITIVE_INFINITY, 'not-finite'],
    [now, Number.NEGATIVE_INFINITY, 'not-finite'],
  ];
  const collector = new BatchCollector(now, resolveValidationOptions(), 1);
  cases.forEach(([ts, value], index) => collector.accept(index, `s${index}`, ts, value));
  const batch = collector.batch();
  assert.deepEqual(
    batch.rejected.map((rejection) => [rejection.index, rejection.rule]),
    cases.flatMap(([, , rule], index) => (rule === undefined ? [] : [[index, rule]])),
  );
  assert.deepEqual(batch.readings, [
    { sensor: 's0', ts: now, value: 1.5 },
    { sensor: 's1', ts: 0, value: -2 },
    { sensor: 's2', ts: now + 86_400_000, value: 3 },
  ]);
  assert.deepEqual(batch.items, [0, 1, 2]);
  assert.equal(batch.columns?.length, 3, 'the same readings as columns');
  assert.deepEqual([...(batch.columns?.timestamps ?? [])], [now, 0, now + 86_400_000]);

  // With no bound on the future, an infinite timestamp is still refused.
  const unbounded = new BatchCollector(now, resolveValidationOptions({ maxFutureMillis: Infinity }));
  unbounded.accept(0, 's', Number.POSITIVE_INFINITY, 1);
  unbounded.accept(1, 's', 1e15, 1);
  assert.deepEqual(
    unbounded.batch().rejected.map((rejection) => rejection.rule),
    ['bad-timestamp'],
  );
  assert.equal(unbounded.batch().readings.length, 1);
});
