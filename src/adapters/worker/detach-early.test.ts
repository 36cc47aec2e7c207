import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

/**
 * Optimises a function that reads a typed array, detaches a buffer (as a transfer to another
 * thread does), and prints whether the function is still optimised. `%GetOptimizationStatus` bit
 * 16 is V8's "optimized".
 */
function optimisedAfterDetach(early: boolean): boolean {
  const script = `
    import { detachEarly } from ${JSON.stringify(new URL('./detach-early.ts', import.meta.url).href)};
    if (${early}) detachEarly();
    function sum(array) { let total = 0; for (let i = 0; i < array.length; i++) total += array[i]; return total; }
    const array = new Float64Array(16).fill(1);
    %PrepareFunctionForOptimization(sum);
    sum(array); sum(array);
    %OptimizeFunctionOnNextCall(sum);
    sum(array);
    if ((%GetOptimizationStatus(sum) & 16) === 0) throw new Error('sum was not optimised');
    const buffer = new ArrayBuffer(8);
    structuredClone(buffer, { transfer: [buffer] });
    process.stdout.write(String((%GetOptimizationStatus(sum) & 16) !== 0));
  `;
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--allow-natives-syntax', '--input-type=module', '--eval', script],
    { encoding: 'utf8' },
  );
  return output === 'true';
}

test('typed-array code optimised after detachEarly stays optimised when a buffer is first transferred', () => {
  assert.equal(optimisedAfterDetach(false), false, 'without it, the first detach deoptimises the code');
  assert.equal(optimisedAfterDetach(true), true);
});
