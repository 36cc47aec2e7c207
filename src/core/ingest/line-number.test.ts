import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { plainDecimalInto } from './line-number.ts';

/** The value `plainDecimalInto` writes, or NaN when it writes none. */
function plainDecimal(text: string, start: number, end: number): number {
  const into = new Float64Array([Number.NaN]);
  return plainDecimalInto(text, start, end, into, 0) ? (into[0] as number) : Number.NaN;
}

const decimal = fc
  .tuple(
    fc.boolean(),
    fc.stringMatching(/^[0-9]{0,15}$/),
    fc.option(fc.stringMatching(/^[0-9]{0,15}$/), { nil: undefined }),
  )
  .map(
    ([negative, whole, fraction]) =>
      `${negative ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}`,
  );

test('a plain decimal of up to 15 digits reads exactly as Number() reads it; anything else is left to Number()', () => {
  fc.assert(
    fc.property(decimal, (text) => {
      const value = plainDecimal(text, 0, text.length);
      const digits = text.replace(/[^0-9]/g, '').length;
      if (digits === 0 || digits > 15) assert.ok(Number.isNaN(value), text);
      else assert.ok(Object.is(value, Number(text)), `${text}: ${value} vs ${Number(text)}`);
    }),
    { numRuns: 20_000 },
  );
  for (const text of ['1e5', '0x10', '1..2', '12a', '', '-', '.', '+1', 'Infinity', '1234567890123456'])
    assert.ok(Number.isNaN(plainDecimal(text, 0, text.length)), text);
  assert.equal(plainDecimal('m value=0.1 5', 8, 11), 0.1, 'reads within a longer text');
  assert.ok(Object.is(plainDecimal('-0.0', 0, 4), -0));
});
