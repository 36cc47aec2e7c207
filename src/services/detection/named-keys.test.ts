import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NamedKeys } from './named-keys.ts';

const reading = (sensor: string) => ({ sensor, ts: 0, value: 0 });

test('names each key once, with the first batch that holds it, however far apart keys are', () => {
  const named = new NamedKeys();
  const first = named.take(Int32Array.of(0, 1, 0), ['a', 'b', 'a'].map(reading));
  assert.deepEqual([...first.keys], [0, 1]);
  assert.deepEqual(first.ids, ['a', 'b']);
  const second = named.take(Int32Array.of(1, 5000, 0, 5000), ['b', 'z', 'a', 'z'].map(reading));
  assert.deepEqual([...second.keys], [5000]);
  assert.deepEqual(second.ids, ['z']);
  assert.deepEqual([...named.take(Int32Array.of(5000, 1), ['z', 'b'].map(reading)).keys], []);
});
