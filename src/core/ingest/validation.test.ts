import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isValidId } from '../registry/validate.ts';
import { isValidSensorId, resolveValidationOptions } from './validation.ts';

test("the ingest sensor-id check agrees with the registry's id rule", () => {
  const character = fc.oneof(
    fc.constantFrom('/', '+', '#', '\u0000', '\u001f', '\u007f', '\t', ' ', ',', '=', '.', 'é', '\u0080'),
    fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  );
  const id = fc.oneof(
    fc.constantFrom('.', '..', '...', '.a', 'a.', '..a', '. ', ' .'),
    fc.array(character, { maxLength: 12 }).map((characters) => characters.join('')),
    fc.integer({ min: 250, max: 260 }).map((length) => 'x'.repeat(length)),
  );
  fc.assert(
    fc.property(id, (text) => assert.equal(isValidSensorId(text), isValidId(text), JSON.stringify(text))),
  );
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
