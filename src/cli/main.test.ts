import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from './main.ts';
import { captureOutput } from './output.test-helpers.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { value: code, stdout, stderr } = await captureOutput(() => main(argv));
  return { code, stdout, stderr };
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

test('a command group with --help lists its targets and succeeds', async () => {
  const { code, stdout } = await run(['eval', '--help']);
  assert.equal(code, 0);
  assert.match(stdout, /eval traffic\s+compare signal controllers/);
});

test('no command at all prints the usage on stderr and fails', async () => {
  const { code, stderr } = await run([]);
  assert.equal(code, 2);
  assert.match(stderr, /usage: urban-brain <command>/);
});

test('--version prints the package version', async () => {
  const { spawnSync } = await import('node:child_process');
  const bin = new URL('../../bin/urban-brain.js', import.meta.url).pathname;
  const result = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
  assert.equal(result.status, 0);
  assert.match(result.stdout, /^urban-brain \d+\.\d+\.\d+/);
});

test('serve -h prints the usage even when the environment names a cluster role; bug: -h was refused', async () => {
  const role = process.env['URBAN_BRAIN_ROLE'];
  process.env['URBAN_BRAIN_ROLE'] = 'api';
  try {
    for (const flag of ['-h', '--help']) {
      const { code, stdout } = await run(['serve', flag]);
      assert.equal(code, 0);
      assert.match(stdout, /usage: urban-brain serve \[options\]/);
    }
  } finally {
    if (role === undefined) delete process.env['URBAN_BRAIN_ROLE'];
    else process.env['URBAN_BRAIN_ROLE'] = role;
  }
});

test('serve and demo on a data folder that is a file say so, naming the setting, and exit 2; bug: stack trace, then a failed start', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'urban-brain-serve-')), 'not-a-folder');
  writeFileSync(file, 'x');
  const { code, stderr } = await run([
    'serve',
    '--demo',
    'auto',
    '--data-dir',
    file,
    '--port',
    '0',
    '--mqtt-port',
    '0',
  ]);
  assert.equal(code, 2);
  const rule = `--data-dir (URBAN_BRAIN_DATA_DIR) = "${file}": must be a folder, and a file is there\n`;
  assert.ok(stderr.startsWith(`urban-brain serve: ${rule}`), stderr);
  const demo = await run(['demo', '--data-dir', file, '--port', '0', '--mqtt-port', '0']);
  assert.equal(demo.code, 2);
  assert.ok(demo.stderr.startsWith(`urban-brain demo: ${rule}`), demo.stderr);
});

test('a cluster role refuses the embedded platform’s own flags by name; bug: they were ignored silently', async () => {
  const engines = [
    '--role',
    'api',
    '--nats-url',
    'nats://127.0.0.1:1',
    '--clickhouse-url',
    'http://127.0.0.1:1',
    '--postgres-url',
    'postgres://u@127.0.0.1:1/db',
  ];
  const { code, stderr } = await run(['serve', ...engines, '--data-dir', '/tmp/x', '--memory']);
  assert.equal(code, 2);
  assert.match(
    stderr,
    /^urban-brain serve: --data-dir, --memory: for the embedded platform, not a cluster's roles/,
  );
});
