import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergePatch } from './merge-patch.ts';

void test('merge patches follow the examples of RFC 7396', () => {
  // Appendix A of the RFC, each case: original, patch, result.
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [original, patch, result] of cases)
    assert.deepEqual(mergePatch(original, patch), result, JSON.stringify({ original, patch }));
});

void test('neither the target nor the patch is changed', () => {
  const target = { tags: { zone: 'a', floor: '2' }, kind: 'flow' };
  const patch = { tags: { zone: null, owner: 'city' } };
  const before = structuredClone({ target, patch });
  assert.deepEqual(mergePatch(target, patch), { tags: { floor: '2', owner: 'city' }, kind: 'flow' });
  assert.deepEqual({ target, patch }, before);
});

void test('a member named __proto__ stays a member and changes no prototype', () => {
  const merged = mergePatch({}, JSON.parse('{"__proto__": {"polluted": "yes"}}')) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(merged), Object.prototype);
  assert.deepEqual(Object.keys(merged), ['__proto__']);
  assert.equal((merged as { polluted?: unknown }).polluted, undefined);
});
