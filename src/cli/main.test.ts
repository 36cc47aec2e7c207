import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from './main.ts';

async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  const chunks: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(argv), stderr: chunks.join('') };
  } finally {
    process.stderr.write = original;
  }
}

test('a command group without its target names the targets it has', async () => {
  const { code, stderr } = await run(['eval']);
  assert.equal(code, 2);
  assert.match(stderr, /'eval' needs one of: nab, traffic, triage, ems/);
});

test('an unknown command is named as given', async () => {
  const { code, stderr } = await run(['eval', 'weather']);
  assert.equal(code, 2);
  assert.match(stderr, /unknown command 'eval weather'/);
});
