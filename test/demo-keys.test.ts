import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { serve } from '@hono/node-server';
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
