import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyFlags } from './key-flags.ts';

void test('sets, reads and clears flags by key, growing past its first size', () => {
  const flags = new KeyFlags();
  assert.equal(flags.has(5), false);
  assert.equal(flags.set(5), true);
  assert.equal(flags.set(5), false, 'already set');
  assert.equal(flags.set(100_000), true, 'a key far past the first 1,024');
  assert.equal(flags.has(5) && flags.has(100_000), true, 'the flags set before growing are kept');
  assert.equal(flags.has(99_999), false);
  assert.equal(flags.clear(5), true);
  assert.equal(flags.clear(5), false, 'already clear');
  assert.equal(flags.clear(2_000_000), false, 'a key never set, beyond the array');
  flags.clearAll();
  assert.equal(flags.has(100_000), false);
});
