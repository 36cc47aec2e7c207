import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { headerOf } from '../bench/arguments.ts';

const root = new URL('..', import.meta.url).pathname;

test("a benchmark's usage is its opening comment without the comment marks", () => {
  const usage = headerOf(new URL('../bench/ingest.ts', import.meta.url).href);
  assert.match(usage, /^Ingest benchmark: readings from 100,000 sensors/);
  assert.match(usage, /--million-readings N/);
  assert.doesNotMatch(usage, /^\s*\*/m);
});

test('--help prints the usage and exits 0; an unknown option says so with the usage and exits 2', () => {
  const run = (argument: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'bench/traffic-live.ts', argument], {
      cwd: root,
      encoding: 'utf8',
    });
  const help = run('--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Run: node --import tsx bench\/traffic-live.ts \[--rows 6\]/);
  const wrong = run('--rowz');
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /Unknown option '--rowz'/);
  assert.match(wrong.stderr, /Cost of the live traffic path/);
  assert.doesNotMatch(wrong.stderr, /at parseArgs/);
});
