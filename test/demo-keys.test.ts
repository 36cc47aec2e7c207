import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { serve } from '@hono/node-server';
import { replaceDemoAdminKey } from '../src/services/demo/launch.ts';
import { PlatformClient } from '../src/services/demo/platform-client.ts';
import { httpFixture } from './support/http-fixture.ts';

test('restarting the demo replaces its keys instead of piling them up', async () => {
  const fixture = await httpFixture();
  const server = serve({ fetch: fixture.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const client = new PlatformClient(`http://127.0.0.1:${port}`, fixture.secrets.admin);
    const first = await client.replaceKey('demo viewer', 'viewer');
    const second = await client.replaceKey('demo viewer', 'viewer');
    assert.notEqual(first, second);
    const live = (await fixture.keys.list()).filter((key) => key.revokedMillis === null);
    assert.equal(live.filter((key) => key.name === 'demo viewer').length, 1, 'one live demo viewer key');
    assert.equal(live.filter((key) => key.name === 'viewer').length, 1, 'other keys are left alone');
    assert.equal(await fixture.keys.authenticate(first), undefined, 'the earlier secret no longer works');
    assert.equal((await fixture.keys.authenticate(second))?.role, 'viewer');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

void test('each demo start revokes the admin key the last one printed, and the one the platform generated', async () => {
  const fixture = await httpFixture();
  // Regression: every start generated and printed a new admin key and none was ever revoked.
  const generated = (await fixture.keys.create('admin (generated)', 'admin')).secret;
  const first = await replaceDemoAdminKey(fixture.keys, generated);
  assert.equal(await fixture.keys.authenticate(generated), undefined, 'the generated key is revoked');
  const second = await replaceDemoAdminKey(fixture.keys, null);
  assert.equal(
    await fixture.keys.authenticate(first),
    undefined,
    'the earlier demo admin key no longer works',
  );
  assert.equal((await fixture.keys.authenticate(second))?.role, 'admin');
  const live = (await fixture.keys.list()).filter(
    (key) => key.revokedMillis === null && key.role === 'admin',
  );
  assert.deepEqual(
    live.map((key) => key.name).sort(),
    ['admin', 'demo admin'],
    'other admin keys are left alone',
  );
});

/** Runs `urban-brain demo` with `args` and `env` until it prints its keys; stops it and returns them and its log. */
async function demoKeys(args: string[], env: Record<string, string> = {}) {
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const child = spawn(
    process.execPath,
    ['bin/urban-brain.js', 'demo', '--sensors', '200', '--port', '0', '--mqtt-port', '0', ...args],
    {
      cwd: new URL('..', import.meta.url),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    void exited.then(() => reject(new Error(`demo exited before printing its keys:\n${stderr}`)));
  });
  const printed = JSON.parse(line) as { url: string; adminKey: string | null };
  const live =
    printed.adminKey === null
      ? null
      : await fetch(`${printed.url}api/v1/keys`, {
          headers: { authorization: `Bearer ${printed.adminKey}` },
        }).then(
          (response) =>
            response.json() as Promise<{
              keys: { name: string; role: string; revokedMillis: number | null }[];
            }>,
        );
  child.kill('SIGTERM');
  await exited;
  return { printed, stderr, live };
}

void test('a restarted demo prints a new admin key and the one printed before stops working', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-demo-keys-'));
  try {
    const first = await demoKeys(['--data-dir', dataDir]);
    assert.ok(first.printed.adminKey !== null);
    const second = await demoKeys(['--data-dir', dataDir]);
    assert.ok(second.printed.adminKey !== null);
    assert.notEqual(second.printed.adminKey, first.printed.adminKey);
    const admins = second.live!.keys.filter((key) => key.role === 'admin' && key.revokedMillis === null);
    assert.deepEqual(
      admins.map((key) => key.name),
      ['demo admin'],
      'one live admin key: the one just printed',
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

void test('a configured admin key is never printed by the demo', async () => {
  const configured = 'configured-admin-key-0123456789';
  const { printed, stderr } = await demoKeys([], { URBAN_BRAIN_ADMIN_KEY: configured });
  assert.equal(printed.adminKey, null);
  assert.ok(!stderr.includes(configured), stderr);
  assert.match(stderr, /admin key: {4}URBAN_BRAIN_ADMIN_KEY/);
});
