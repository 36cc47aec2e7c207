import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_JSON_DEPTH, nestsDeeperThan, parseJsonText } from './json-text.ts';

const nested = (levels: number, open = '[', close = ']') => open.repeat(levels) + close.repeat(levels);

test('nesting is counted in levels of arrays and objects; scalars add none', () => {
  assert.equal(nestsDeeperThan(5, 0), false);
  assert.equal(nestsDeeperThan(null, 0), false);
  assert.equal(nestsDeeperThan([], 0), true);
  assert.equal(nestsDeeperThan([1, 'a', null], 1), false);
  assert.equal(nestsDeeperThan({ a: { b: [1] } }, 3), false);
  assert.equal(nestsDeeperThan({ a: { b: [1] } }, 2), true);
  // The deepest branch counts, wherever it is.
  assert.equal(nestsDeeperThan([1, [2], { a: [[[3]]] }, 4], 4), true);
  assert.equal(nestsDeeperThan([1, [2], { a: [[[3]]] }, 4], 5), false);
});

test('a body nested to the limit is read; one level deeper is refused, saying why', () => {
  const limit = parseJsonText(`{"a":${nested(MAX_JSON_DEPTH - 1)}}`);
  assert.ok(limit.ok);
  const deeper = parseJsonText(`{"a":${nested(MAX_JSON_DEPTH)}}`);
  assert.deepEqual(deeper, { ok: false, error: `body is nested deeper than ${MAX_JSON_DEPTH} levels` });
  // 20,000 levels: JSON.parse takes them, JSON.stringify would overflow the stack.
  const deep = parseJsonText(nested(20_000, '{"a":', '}').replace('{"a":}', '1'));
  assert.deepEqual(deep, { ok: false, error: `body is nested deeper than ${MAX_JSON_DEPTH} levels` });
});

test('text that is not JSON is refused with the parser’s reason', () => {
  const outcome = parseJsonText('{"a":');
  assert.equal(outcome.ok, false);
  assert.match(outcome.ok ? '' : outcome.error, /^body is not valid JSON: /);
});
