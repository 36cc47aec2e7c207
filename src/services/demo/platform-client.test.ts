import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { PlatformClient } from './platform-client.ts';

/** A server whose first `drops` requests lose their connection before any answer; the rest get `answer`. */
async function flakyServer(
  drops: number,
  answer: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(`${request.method} ${request.url}`);
    request.resume();
    request.once('end', () => {
      if (paths.length <= drops) request.socket.destroy();
      else answer(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json = (status: number, body: unknown) => (_: IncomingMessage, response: ServerResponse) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

test('readings and imports whose connection fails are sent again, up to three tries', async () => {
  const server = await flakyServer(2, json(200, { accepted: 1 }));
  const client = new PlatformClient(server.url, 'key');
  assert.deepEqual(await client.ingest([{ sensor: 's', ts: 1, value: 2 }]), { ok: true, stored: 1 });
  assert.deepEqual(server.paths, Array(3).fill('POST /api/v1/readings'));
  await server.close();

  const imports = await flakyServer(1, json(200, { imported: 1 }));
  const importer = new PlatformClient(imports.url, 'key');
  await importer.putAssets([{ id: 'a', type: 'pump', name: 'A', lat: 1, lon: 2, tags: {} }]);
  assert.equal(imports.paths.length, 2);
  assert.match(imports.paths[1]!, /^POST \/api\/v1\/assets\/import\?atomic=true&existing=replace$/);
  await imports.close();
});

test('a write whose connection fails three times rejects with the cause', async () => {
  const server = await flakyServer(3, json(200, {}));
  const client = new PlatformClient(server.url, 'key');
  await assert.rejects(client.ingest([{ sensor: 's', ts: 1, value: 2 }]), TypeError);
  assert.equal(server.paths.length, 3);
  await server.close();
});

test('an answer is never sent again, nor a call that must not be applied twice', async () => {
  const refused = await flakyServer(0, json(400, { error: 'bad' }));
  await assert.rejects(
    new PlatformClient(refused.url, 'key').putSensors([
      { id: 's', kind: 'flow', unit: 'l/s', asset: null, lat: null, lon: null, tags: {} },
    ]),
    /answered 400/,
  );
  assert.equal(refused.paths.length, 1);
  await refused.close();

  // Calling the next patient takes them off the queue: sent twice, it would call two.
  const dropped = await flakyServer(1, json(200, { patient: null }));
  await assert.rejects(new PlatformClient(dropped.url, 'key').callNext('h1'), TypeError);
  assert.equal(dropped.paths.length, 1);
  await dropped.close();
});
